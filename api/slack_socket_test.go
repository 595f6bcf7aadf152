package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A fake Slack that speaks Socket Mode: apps.connections.open hands out a
// WebSocket URL, which sends hello, then an app mention and a slash
// command, and reads the acknowledgements.
func TestSlackSocketMode(t *testing.T) {
	t.Parallel()
	posts := make(chan url.Values, 10)
	responses := make(chan map[string]any, 10)
	acks := make(chan map[string]any, 10)
	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("/api/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer xapp-1-test" {
			t.Errorf("apps.connections.open with %q", r.Header.Get("Authorization"))
		}
		io.WriteString(w, `{"ok":true,"url":"ws`+strings.TrimPrefix(base, "http")+`/ws"}`)
	})
	mux.HandleFunc("/api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		posts <- r.PostForm
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1.2"}`)
	})
	mux.HandleFunc("/respond", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		responses <- m
	})
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "debug_info": map[string]any{"approximate_connection_time": 3600}})
		conn.WriteJSON(map[string]any{"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": false,
			"payload": json.RawMessage(mentionEvent("EvS1", "1700000000.000100", "", "<@UBOT> Who is Iran's ambassador to Russia?", ""))})
		conn.WriteJSON(map[string]any{"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": true,
			"payload": map[string]string{"command": "/ask", "text": "Which fighter jets has Iran sought from Russia?", "team_id": "T1", "user_id": "U1", "response_url": base + "/respond"}})
		for i := 0; i < 2; i++ {
			var ack map[string]any
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			acks <- ack
		}
		<-r.Context().Done()
	})
	fake := httptest.NewServer(mux)
	defer fake.Close()
	base = fake.URL

	s := New(Config{Engine: sharedSeeds(t), RateLimit: 1000, RequestTimeout: 5 * time.Second,
		Slack: SlackConfig{AppToken: "xapp-1-test", BotToken: "xoxb-test", APIURL: fake.URL + "/api"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.RunSlackSocketMode(ctx)

	wait := func(what string) {
		t.Helper()
		t.Fatalf("no %s within 10s", what)
	}
	gotAcks := map[string]map[string]any{}
	for len(gotAcks) < 2 {
		select {
		case a := <-acks:
			gotAcks[a["envelope_id"].(string)] = a
		case <-time.After(10 * time.Second):
			wait("acknowledgements")
		}
	}
	if p, _ := json.Marshal(gotAcks["env-2"]["payload"]); !strings.Contains(string(p), "Looking that up") {
		t.Errorf("slash command ack %v", gotAcks["env-2"])
	}
	select {
	case form := <-posts:
		if form.Get("thread_ts") != "1700000000.000100" || !strings.Contains(form.Get("text"), "Kazem Jalali") {
			t.Errorf("mention answer %v", form)
		}
	case <-time.After(10 * time.Second):
		wait("answer to the mention")
	}
	select {
	case resp := <-responses:
		if resp["response_type"] != "in_channel" || !strings.Contains(resp["text"].(string), "Su-35") {
			t.Errorf("slash answer %v", resp)
		}
	case <-time.After(10 * time.Second):
		wait("answer to the slash command")
	}
}
