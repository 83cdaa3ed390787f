// Command lua-health evaluates Argo CD's Lua resource customizations (health.lua and the
// action.lua of resource actions, from Argo CD's resource_customizations) with a Lua 5.1
// interpreter, the way Argo CD does: the object is the global `obj`.
//
// Input on stdin: a JSON array of {"script": "<lua source>", "object": {...}, "action": bool}.
// Output on stdout: a JSON array in the same order: for a health script {"status", "message"};
// for an action {"result": <the returned value as JSON>}; {"error": "..."} for a script that fails.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
)

type request struct {
	Script string      `json:"script"`
	Object interface{} `json:"object"`
	Action bool        `json:"action"`
}

type result struct {
	Status  string      `json:"status,omitempty"`
	Message string      `json:"message,omitempty"`
	Result  interface{} `json:"result,omitempty"`
	Error   string      `json:"error,omitempty"`
}

func main() {
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		fmt.Fprintln(os.Stderr, "lua-health: reading requests:", err)
		os.Exit(2)
	}
	results := make([]result, len(requests))
	for i, req := range requests {
		results[i] = evaluate(req)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "lua-health: writing results:", err)
		os.Exit(2)
	}
}

func evaluate(req request) result {
	state := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer state.Close()
	// The libraries Argo CD opens for health scripts (util/lua: base, table, string, math, coroutine).
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		state.Push(state.NewFunction(lib.open))
		state.Push(lua.LString(lib.name))
		state.Call(1, 0)
	}
	// Actions `require("os")` for os.date, which Argo CD provides.
	state.Push(state.NewFunction(lua.OpenPackage))
	state.Push(lua.LString(lua.LoadLibName))
	state.Call(1, 0)
	state.PreloadModule("os", func(l *lua.LState) int {
		lua.OpenOs(l)
		l.Push(l.GetGlobal("os"))
		return 1
	})
	state.SetGlobal("obj", toLua(state, req.Object))
	if err := state.DoString(req.Script); err != nil {
		return result{Error: err.Error()}
	}
	table, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return result{Error: "the script did not return a table"}
	}
	if req.Action {
		return result{Result: fromLua(table)}
	}
	return result{
		Status:  lua.LVAsString(table.RawGetString("status")),
		Message: lua.LVAsString(table.RawGetString("message")),
	}
}

// toLua converts decoded JSON into Lua values: objects become tables with string keys and
// arrays become tables indexed from 1, as Argo CD's conversion does.
func toLua(state *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []interface{}:
		table := state.NewTable()
		for _, item := range v {
			table.Append(toLua(state, item))
		}
		return table
	case map[string]interface{}:
		table := state.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	default:
		return lua.LString(fmt.Sprint(v))
	}
}

// fromLua converts a Lua value back to JSON-able Go values: a table whose keys are 1..n is an
// array, any other table an object (as Argo CD converts an action's result).
func fromLua(value lua.LValue) interface{} {
	switch v := value.(type) {
	case *lua.LTable:
		if n := v.Len(); n > 0 {
			items := make([]interface{}, 0, n)
			for i := 1; i <= n; i++ {
				items = append(items, fromLua(v.RawGetInt(i)))
			}
			return items
		}
		object := map[string]interface{}{}
		v.ForEach(func(key, item lua.LValue) {
			object[key.String()] = fromLua(item)
		})
		return object
	case lua.LBool:
		return bool(v)
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		return string(v)
	default:
		return nil
	}
}
