// Wrapper module that builds the etcd server from the Go module proxy; build.sh adds the require.
module local.test/etcd-bin

go 1.26.0

tool go.etcd.io/etcd/server/v3
