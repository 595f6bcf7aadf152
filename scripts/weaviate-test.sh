#!/usr/bin/env bash
# Starts the real Weaviate server on loopback ports with a temporary data
# directory, runs the Weaviate backend's tests (go test -tags weaviate)
# against it, and stops it. Usage: weaviate-test.sh WEAVIATE_SERVER_BINARY
set -euo pipefail
server=$1
dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
http=$(free_port); grpc=$(free_port); gossip=$(free_port); data=$(free_port); raft=$(free_port); rpc=$(free_port)
PERSISTENCE_DATA_PATH=$dir/data DEFAULT_VECTORIZER_MODULE=none ENABLE_MODULES= \
AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true DISABLE_TELEMETRY=true LOG_LEVEL=warning \
CLUSTER_HOSTNAME=node1 CLUSTER_ADVERTISE_ADDR=127.0.0.1 CLUSTER_GOSSIP_BIND_PORT=$gossip CLUSTER_DATA_BIND_PORT=$data \
RAFT_PORT=$raft RAFT_INTERNAL_RPC_PORT=$rpc RAFT_BOOTSTRAP_EXPECT=1 GRPC_PORT=$grpc \
	"$server" --host 127.0.0.1 --port "$http" --scheme http >"$dir/weaviate.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
url=http://127.0.0.1:$http
for _ in $(seq 1 240); do
	curl -sf -o /dev/null "$url/v1/.well-known/ready" && break
	kill -0 "$pid" 2>/dev/null || { echo "weaviate exited:"; tail -20 "$dir/weaviate.log"; exit 1; }
	sleep 0.25
done
curl -sf -o /dev/null "$url/v1/.well-known/ready" || { echo "weaviate not ready in 60 s:"; tail -20 "$dir/weaviate.log"; exit 1; }
echo "weaviate ready at $url"
export RAG_WEAVIATE_TEST_URL=$url
go test -tags weaviate -count=1 -v ./rag/weaviate 2>&1 | grep -v '^=== '
go test -tags weaviate -count=1 -v -run Weaviate ./cmd/rag 2>&1 | grep -v '^=== '
