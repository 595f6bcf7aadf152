#!/usr/bin/env bash
# Runs the real Weaviate server on free loopback ports with a temporary data
# directory, single node, no vectorizer, anonymous access; stops it and
# removes its data on exit. Usage:
#   weaviate.sh SERVER COMMAND...  runs COMMAND with RAG_WEAVIATE_TEST_URL set once it is ready
#   weaviate.sh SERVER             prints its URL once it is ready, then runs until stdin closes
set -euo pipefail
server=$1; shift
dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
http=$(free_port); grpc=$(free_port); gossip=$(free_port); data=$(free_port); raft=$(free_port); rpc=$(free_port)
PERSISTENCE_DATA_PATH=$dir/data DEFAULT_VECTORIZER_MODULE=none ENABLE_MODULES= \
AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true DISABLE_TELEMETRY=true LOG_LEVEL=warning \
CLUSTER_HOSTNAME=node1 CLUSTER_ADVERTISE_ADDR=127.0.0.1 CLUSTER_GOSSIP_BIND_PORT=$gossip CLUSTER_DATA_BIND_PORT=$data \
RAFT_PORT=$raft RAFT_INTERNAL_RPC_PORT=$rpc RAFT_BOOTSTRAP_EXPECT=1 GRPC_PORT=$grpc \
	"$server" --host 127.0.0.1 --port "$http" --scheme http >"$dir/weaviate.log" 2>&1 </dev/null &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
url=http://127.0.0.1:$http
for _ in $(seq 1 480); do
	curl -sf -o /dev/null "$url/v1/.well-known/ready" && break
	kill -0 "$pid" 2>/dev/null || { echo "weaviate exited:" >&2; tail -20 "$dir/weaviate.log" >&2; exit 1; }
	sleep 0.25
done
curl -sf -o /dev/null "$url/v1/.well-known/ready" || { echo "weaviate not ready in 2 minutes:" >&2; tail -20 "$dir/weaviate.log" >&2; exit 1; }
if [ $# -eq 0 ]; then
	echo "$url"
	cat >/dev/null # until stdin closes
	exit 0
fi
echo "weaviate ready at $url"
RAG_WEAVIATE_TEST_URL=$url "$@"
