package api

import (
	"context"
	"errors"
	"os"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSlackSocketMode connects to Slack over Socket Mode — for workspaces
// the service cannot be reached from — and answers with the same handlers
// as the HTTP endpoints, until ctx ends. It returns at once when no app
// token is configured.
func (s *Server) RunSlackSocketMode(ctx context.Context) error {
	if s.slack == nil || s.slack.cfg.AppToken == "" {
		return nil
	}
	b := s.slack
	client := socketmode.New(b.api, socketmode.OptionDebug(os.Getenv("RAG_DEBUG_SLACK") != ""))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-client.Events:
				if !ok {
					return
				}
				b.socketEvent(client, evt)
			}
		}
	}()
	err := client.RunContext(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// socketEvent acknowledges each request at once — with "Looking that up…"
// for a slash command — and hands it to the handler the HTTP route uses.
func (b *slackBot) socketEvent(client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.deps.log.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		b.deps.log.Error("slack socket mode", "event", string(evt.Type))
	case socketmode.EventTypeEventsAPI:
		outer, ok := evt.Data.(slackevents.EventsAPIEvent)
		if evt.Request != nil {
			client.Ack(*evt.Request)
		}
		if !ok || outer.Type != slackevents.CallbackEvent {
			return
		}
		id := ""
		if cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent); ok {
			id = cb.EventID
		}
		b.dispatch(id, outer.TeamID, outer.InnerEvent)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		client.Ack(*evt.Request, b.takeCommand(cmd))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if evt.Request != nil {
			client.Ack(*evt.Request)
		}
		if ok {
			b.takeInteraction(cb)
		}
	}
}
