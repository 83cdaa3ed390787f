// Command robfig-cron prints when Velero's schedule controller (v1.18.1,
// pkg/controller/schedule_controller.go) creates the Backups of Schedules, with the cron library
// Velero uses, github.com/robfig/cron/v3 v3.0.1 (ParseStandard, CRON_TZ=), for the real-systems
// check of restorable's schedule simulation (src/model/simulation.ts).
//
// The controller is replayed as it runs: it reconciles every Schedule once a minute; a Schedule is
// due when the reconcile time is after Next(lastBackup) (the creation time while there is no backup
// yet); it creates no Backup while one of its Backups is New or InProgress; a created Backup sets
// lastBackup to the reconcile time. Each Backup here is in progress for backupSeconds.
//
// Input on stdin: {"start": unix seconds, "until": unix seconds, "offsetSeconds": seconds after
// each minute the controller reconciles at, "schedules": [{"spec": "...", "backupSeconds": n}]}.
// Output on stdout: [{"runs": [unix seconds of each Backup's creation, ...]} or {"error": "..."}],
// in the order of the schedules.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/robfig/cron/v3"
)

type schedule struct {
	Spec          string `json:"spec"`
	BackupSeconds int64  `json:"backupSeconds"`
}

type request struct {
	Start         int64      `json:"start"`
	Until         int64      `json:"until"`
	OffsetSeconds int64      `json:"offsetSeconds"`
	Schedules     []schedule `json:"schedules"`
}

type result struct {
	Runs  []int64 `json:"runs"`
	Error string  `json:"error,omitempty"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "robfig-cron: reading the request:", err)
		os.Exit(2)
	}
	results := make([]result, len(req.Schedules))
	for i, s := range req.Schedules {
		results[i] = replay(req, s)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "robfig-cron: writing the results:", err)
		os.Exit(2)
	}
}

// replay runs the controller's reconcile loop for one Schedule created at req.Start.
func replay(req request, s schedule) result {
	parsed, err := cron.ParseStandard(s.Spec)
	if err != nil {
		return result{Error: err.Error()}
	}
	created := time.Unix(req.Start, 0).UTC()
	lastBackup := created
	var inProgressUntil time.Time
	runs := []int64{}
	backup := time.Duration(s.BackupSeconds) * time.Second
	// getNextRunTime: Next(lastBackup), computed again only when lastBackup changes.
	next := parsed.Next(lastBackup)
	for now := created.Truncate(time.Minute).Add(time.Duration(req.OffsetSeconds) * time.Second); now.Unix() <= req.Until; now = now.Add(time.Minute) {
		// Due when the reconcile time is after the next run.
		if !now.After(next) {
			continue
		}
		// checkIfBackupInNewOrProgress: no Backup while the last one has not ended.
		if now.Before(inProgressUntil) {
			continue
		}
		runs = append(runs, now.Unix())
		lastBackup = now
		next = parsed.Next(lastBackup)
		inProgressUntil = now.Add(backup)
	}
	return result{Runs: runs}
}
