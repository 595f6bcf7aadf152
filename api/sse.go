package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// eventStream writes server-sent events. Writes come from the handler,
// the token callback and the keep-alive ticker, so they are serialised.
type eventStream struct {
	mu     sync.Mutex
	w      *echo.Response
	closed bool
}

// startStream sends the event-stream headers (never compressed) and a
// keep-alive comment every interval until stop is called.
func startStream(c echo.Context, interval time.Duration) (st *eventStream, stop func()) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	h.Del(echo.HeaderContentEncoding)
	c.Response().WriteHeader(http.StatusOK)
	st = &eventStream{w: c.Response()}
	st.comment("stream open")
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				st.comment("keep-alive")
			}
		}
	}()
	return st, func() {
		close(done)
		st.mu.Lock()
		st.closed = true
		st.mu.Unlock()
	}
}

// write sends one block of the stream unless it has ended.
func (st *eventStream) write(format string, args ...any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.closed {
		fmt.Fprintf(st.w, format, args...)
		st.w.Flush()
	}
}

func (st *eventStream) comment(text string) { st.write(": %s\n\n", text) }

// send writes one named event with a JSON payload.
func (st *eventStream) send(event string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
		event = "error"
	}
	st.write("event: %s\ndata: %s\n\n", event, b)
}

// sendData writes an unnamed data line, as OpenAI's stream format does.
func (st *eventStream) sendData(data string) { st.write("data: %s\n\n", data) }
