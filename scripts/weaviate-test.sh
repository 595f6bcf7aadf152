#!/usr/bin/env bash
# The Weaviate backend's tests (go test -tags weaviate) against the real
# server, started and stopped by weaviate.sh. Usage: weaviate-test.sh WEAVIATE_SERVER_BINARY
set -euo pipefail
if [ -z "${RAG_WEAVIATE_TEST_URL:-}" ]; then
	exec "$(dirname "$0")/weaviate.sh" "$1" "$0" "$1"
fi
go test -tags weaviate -count=1 -v ./rag/weaviate 2>&1 | grep -v '^=== '
go test -tags weaviate -count=1 -v -run Weaviate ./cmd/rag 2>&1 | grep -v '^=== '
