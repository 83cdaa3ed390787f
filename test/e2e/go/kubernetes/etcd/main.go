// Command etcd runs the etcd server of the version Kubernetes pins, through etcd's own entry point.
// etcd's server module has no main package of its own at this version; this is that main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
