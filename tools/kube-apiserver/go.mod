// Wrapper module that builds the stock kube-apiserver from the Go module proxy.
// build.sh copies it to a scratch folder and adds the require and the staging replaces there.
module local.test/kube-apiserver-bin

go 1.26.0

godebug default=go1.26

tool k8s.io/kubernetes/cmd/kube-apiserver
