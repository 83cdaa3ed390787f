// Runs Argo CD's Lua health scripts for the real-systems tests.
module restorable.test/e2e/lua-health

go 1.24

require github.com/yuin/gopher-lua v1.1.2
