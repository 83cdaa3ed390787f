// Replays Velero's schedule controller with robfig/cron v3 for the real-systems tests.
module restorable.test/e2e/robfig-cron

go 1.24

require github.com/robfig/cron/v3 v3.0.1
