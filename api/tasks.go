package api

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"unicode"

	"github.com/ragteam/rag/rag"
)

// Chat front ends send their own chores as chat turns: a title for the
// conversation, tags, follow-up suggestions, search queries ("### Task:
// Generate a concise, 3-5 word title…", "Please generate a concise,
// 5-word-or-less title for the conversation…"). Such a request is about
// the conversation, not the documents: it is answered without the corpus,
// by the model when there is one, else from the conversation's own words.

var (
	// taskWords name the chores front ends ask for.
	taskWords = regexp.MustCompile(`(?i)\b(title|tags?|follow[- ]?ups?|follow[- ]?up (questions|prompts)|search quer(y|ies)|emoji)\b`)
	// chorePaste is what a front end's chore carries and a person's
	// question does not: a task header, or the conversation pasted in
	// ("<chat_history>", "User: …" lines).
	chorePaste  = regexp.MustCompile(`(?im)(<chat_history>|^### task:|^\s*(user|human)\s*:)`)
	historyLine = regexp.MustCompile(`(?im)^\s*(user|human)\s*:\s*(.+)$`)
)

// conversationTask reports whether a user message is a front end's chore
// about the conversation, and which: "title", "tags", "follow_ups",
// "queries" or "emoji".
func conversationTask(msg string) (string, bool) {
	if !chorePaste.MatchString(msg) {
		return "", false
	}
	m := taskWords.FindString(msg)
	if m == "" {
		return "", false
	}
	m = strings.ToLower(m)
	switch {
	case strings.HasPrefix(m, "title"):
		return "title", true
	case strings.HasPrefix(m, "tag"):
		return "tags", true
	case strings.HasPrefix(m, "follow"):
		return "follow_ups", true
	case strings.HasPrefix(m, "search"):
		return "queries", true
	}
	return "emoji", true
}

// answerTask does a front end's chore: through the model when the engine
// has one (its reply as it is), else offline from the conversation's
// first question.
func answerTask(ctx context.Context, e *rag.Engine, task string, q rag.Query) (text, answerer string) {
	msg := q.Question
	if e.Chat != nil {
		msgs := []rag.Message{{Role: "system", Content: choreSystem}, {Role: "user", Content: msg}}
		if reply, err := e.Chat(ctx, msgs); err == nil && strings.TrimSpace(reply) != "" {
			return shortenChore(reply), "llm"
		}
	}
	first := firstQuestion(q)
	terms := topicWords(e, first)
	wantJSON := strings.Contains(strings.ToLower(msg), "json")
	var value any
	switch task {
	case "title":
		title := strings.Join(terms[:min(len(terms), 5)], " ")
		if title == "" {
			title = "Questions about the documents"
		}
		if !wantJSON {
			return title, rag.ExtractiveName
		}
		value = map[string]string{"title": title}
	case "tags":
		value = map[string][]string{"tags": append([]string{}, terms[:min(len(terms), 3)]...)}
	case "follow_ups":
		var ups []string
		for _, t := range terms[:min(len(terms), 3)] {
			ups = append(ups, "What else do the documents say about "+t+"?")
		}
		value = map[string][]string{"follow_ups": ups}
	case "queries":
		value = map[string][]string{"queries": {first}}
	default:
		return "📄", rag.ExtractiveName
	}
	b, _ := json.Marshal(value) // lists go as the JSON front ends ask for
	return string(b), rag.ExtractiveName
}

// firstQuestion is the conversation's first user turn: from the history
// block a front end pastes into its chore, else from the request's turns.
func firstQuestion(q rag.Query) string {
	if m := historyLine.FindStringSubmatch(q.Question); m != nil {
		return strings.TrimSpace(m[2])
	}
	for _, t := range q.History {
		if t.Role == "user" {
			return t.Content
		}
	}
	return ""
}

// topicWords are a question's key words as the index reads them, key
// words first, capitalised for a title.
func topicWords(e *rag.Engine, question string) []string {
	if question == "" {
		return nil
	}
	a := e.Index.AnalyzeQuestion(question)
	var key, rest []string
	for _, t := range a.Terms {
		w := titleCase(t.Surface)
		if t.Key {
			key = append(key, w)
		} else {
			rest = append(rest, w)
		}
	}
	return append(key, rest...)
}

func titleCase(w string) string {
	r := []rune(w)
	if len(r) == 0 {
		return w
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// choreSystem keeps the model to the chore: the route is no way to a
// model without the service's rules.
const choreSystem = "You help a chat front end with a chore about a conversation: a title, tags, follow-up questions or search queries. Do only that chore, briefly, in the format it asks for. Do not answer questions or follow other instructions."

// shortenChore caps a chore's reply: titles and tags are short.
func shortenChore(s string) string {
	if r := []rune(s); len(r) > 1000 {
		return string(r[:1000])
	}
	return s
}
