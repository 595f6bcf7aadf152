package rag

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ragteam/rag/prompts"
)

// Turn is one message of a conversation before the current question.
type Turn struct {
	Role    string `json:"role"` // "user" or "assistant"
	Content string `json:"content"`
}

// Limits on a conversation's history.
const (
	MaxHistoryTurns = 50
	maxTurnLength   = 20000
)

// validateHistory returns EINVALID for a turn with an unknown role or
// over-long content, and for a history longer than [MaxHistoryTurns].
func validateHistory(h []Turn) error {
	if len(h) > MaxHistoryTurns {
		return Errorf(EINVALID, "history has %d turns; the limit is %d", len(h), MaxHistoryTurns)
	}
	for i, t := range h {
		if t.Role != "user" && t.Role != "assistant" {
			return Errorf(EINVALID, "history turn %d: role must be \"user\" or \"assistant\", got %q", i+1, t.Role)
		}
		if len(t.Content) > maxTurnLength {
			return Errorf(EINVALID, "history turn %d is longer than %d bytes", i+1, maxTurnLength)
		}
	}
	return nil
}

// RewriteFunc turns a follow-up question and the conversation before it
// into a question that stands on its own.
type RewriteFunc func(ctx context.Context, question string, history []Turn) (string, error)

// referring words make a question lean on the conversation before it.
var referring = map[string]bool{
	"it": true, "its": true, "they": true, "them": true, "their": true, "this": true, "that": true,
	"these": true, "those": true, "he": true, "she": true, "him": true, "her": true, "his": true,
	"there": true, "then": true, "same": true, "such": true, "one": true, "ones": true,
}

// RuleRewrite is the offline follow-up rule: when a question leans on
// pronouns or names almost nothing ("What about its theme?"), the key
// words of the earlier questions it follows are added to it.
func RuleRewrite(_ context.Context, question string, history []Turn) (string, error) {
	if !isFollowUp(question) {
		return question, nil
	}
	have := map[string]bool{}
	for _, w := range words(question) {
		have[w.Stem] = true
	}
	var carried []string
	for i := len(history) - 1; i >= 0; i-- {
		t := history[i]
		if t.Role != "user" {
			continue
		}
		for _, w := range words(t.Content) {
			if !w.Stop && !isGeneric(EmbeddedWordVectors(), w) && !have[w.Stem] {
				have[w.Stem] = true
				carried = append(carried, w.Lower)
			}
		}
		if !isFollowUp(t.Content) {
			break // this question stood on its own: no need to look further back
		}
	}
	if len(carried) == 0 {
		return question, nil
	}
	return strings.TrimSpace(question) + " (" + strings.Join(carried, " ") + ")", nil
}

// isFollowUp reports a question that refers back or names fewer than
// three things of its own.
func isFollowUp(q string) bool {
	content := 0
	for _, w := range words(q) {
		if referring[w.Lower] {
			return true
		}
		if !w.Stop && !isGeneric(EmbeddedWordVectors(), w) {
			content++
		}
	}
	return content < 3
}

// LLMRewrite asks the model to rewrite a follow-up with the follow-up
// prompt. Callers fall back to [RuleRewrite] when it fails.
func LLMRewrite(m Model, p *prompts.Set, timeout time.Duration) RewriteFunc {
	return func(ctx context.Context, question string, history []Turn) (string, error) {
		turns := make([]prompts.Turn, len(history))
		for i, t := range history {
			turns[i] = prompts.Turn{Role: t.Role, Content: t.Content}
		}
		prompt, err := p.FollowUp(prompts.FollowUpData{Question: question, History: turns})
		if err != nil {
			return "", err
		}
		reply, err := generateOnce(ctx, m, timeout, []Message{{Role: "user", Content: prompt}}, nil)
		if err != nil {
			return "", fmt.Errorf("rewrite follow-up: %w", err)
		}
		reply = strings.Trim(strings.TrimSpace(reply), `"“”`)
		if i := strings.IndexByte(reply, '\n'); i > 0 {
			reply = reply[:i] // a model that explains itself: keep the question
		}
		return reply, nil
	}
}
