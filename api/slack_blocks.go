package api

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ragteam/rag/rag"
	"github.com/slack-go/slack"
)

// Slack's limits on a message.
const (
	slackMaxText   = 3000 // characters in one text object
	slackMaxBlocks = 50
	slackQuoteLen  = 200 // characters of a quoted source
)

// Action ids of the feedback buttons.
const (
	actionHelpful    = "rag_feedback_up"
	actionNotHelpful = "rag_feedback_down"
)

// escapeMrkdwn escapes the three characters Slack's mrkdwn gives meaning
// to; "[n]" markers and everything else stay as they are.
func escapeMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// splitText cuts s into pieces of at most max characters, at a sentence
// end or a space where one is near.
func splitText(s string, max int) []string {
	var out []string
	for utf8.RuneCountInString(s) > max {
		r := []rune(s)
		cut := max
		for i := max; i > max/2; i-- {
			if r[i-1] == ' ' || r[i-1] == '\n' {
				cut = i
				if i > 1 && strings.ContainsRune(".!?]", r[i-2]) {
					break
				}
			}
		}
		out = append(out, strings.TrimSpace(string(r[:cut])))
		s = strings.TrimSpace(string(r[cut:]))
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// feedbackValue is what a feedback button carries back: the question and
// the start of the answer, within Slack's 2,000-character value limit.
func feedbackValue(question, answer string) string {
	return truncateRunes(question, 600) + "\x1f" + truncateRunes(answer, 1200)
}

func parseFeedbackValue(v string) (question, answer string) {
	question, answer, _ = strings.Cut(v, "\x1f")
	return question, answer
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// answerBlocks renders an answer as a Block Kit message: the answer (or
// the not-found note), the numbered sources with a short quote — linked to
// the chat page's document view when publicURL is set — which path
// answered, and feedback buttons. It keeps within Slack's limits.
func answerBlocks(question string, a *rag.Answer, publicURL string) []slack.Block {
	var blocks []slack.Block
	text := escapeMrkdwn(a.Answer)
	if lead := a.ShortAnswer + " — "; a.ShortAnswer != "" && strings.HasPrefix(a.Answer, lead) {
		// The name, place, date or number asked for, in bold.
		text = "*" + escapeMrkdwn(a.ShortAnswer) + "* — " + escapeMrkdwn(strings.TrimPrefix(a.Answer, lead))
	}
	if !a.Answered {
		text = "*Not found in the corpus.* " + escapeMrkdwn(strings.TrimPrefix(a.Answer, "The corpus does not say: "))
	}
	for _, part := range splitText(text, slackMaxText) {
		blocks = append(blocks, section(part))
	}
	if len(a.Citations) > 0 {
		blocks = append(blocks, section("*Sources*"))
		var lines []string
		for _, c := range a.Citations {
			title := escapeMrkdwn(c.Title)
			if publicURL != "" {
				title = "<" + documentLink(publicURL, c.DocID, c.Start, c.End) + "|" + strings.ReplaceAll(title, "|", "¦") + ">"
			}
			lines = append(lines, fmt.Sprintf("*[%d]* %s\n> %s", c.N, title, escapeMrkdwn(truncateRunes(oneLine(c.Quote), slackQuoteLen))))
		}
		for _, group := range groupLines(lines, slackMaxText) {
			blocks = append(blocks, section(group))
		}
	}
	if ps := closestPassages(a); len(ps) > 0 {
		blocks = append(blocks, section("*Closest passages*"))
		var lines []string
		for _, p := range ps {
			title := escapeMrkdwn(p.Title)
			if publicURL != "" {
				title = "<" + documentLink(publicURL, p.DocID, p.Start, p.End) + "|" + strings.ReplaceAll(title, "|", "¦") + ">"
			}
			lines = append(lines, fmt.Sprintf("%s\n> %s", title, escapeMrkdwn(snippet(p))))
		}
		for _, group := range groupLines(lines, slackMaxText) {
			blocks = append(blocks, section(group))
		}
	}
	meta := "answered by " + a.Answerer
	if a.Fallback != "" {
		meta += " · fallback: " + a.Fallback
	}
	if a.Answered && !a.Grounded {
		meta += " · not grounded in any passage"
	}
	tail := []slack.Block{
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, escapeMrkdwn(truncateRunes(meta, slackMaxText)), false, false)),
		slack.NewActionBlock("rag_feedback",
			slack.NewButtonBlockElement(actionHelpful, feedbackValue(question, a.Answer), slack.NewTextBlockObject(slack.PlainTextType, "👍 Helpful", true, false)),
			slack.NewButtonBlockElement(actionNotHelpful, feedbackValue(question, a.Answer), slack.NewTextBlockObject(slack.PlainTextType, "👎 Not helpful", true, false)),
		),
	}
	if len(blocks) > slackMaxBlocks-len(tail) {
		blocks = append(blocks[:slackMaxBlocks-len(tail)-1], section("_(the rest is cut to fit Slack's limits)_"))
	}
	return append(blocks, tail...)
}

func section(mrkdwn string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false), nil, nil)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// groupLines joins lines into as few texts of at most max characters as fit.
func groupLines(lines []string, max int) []string {
	var out []string
	var cur string
	for _, l := range lines {
		for _, piece := range splitText(l, max) {
			switch {
			case cur == "":
				cur = piece
			case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(piece) <= max:
				cur += "\n" + piece
			default:
				out = append(out, cur)
				cur = piece
			}
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// documentLink opens the chat page on the cited passage.
func documentLink(publicURL, docID string, start, end int) string {
	q := url.Values{"doc": {docID}, "start": {fmt.Sprint(start)}, "end": {fmt.Sprint(end)}}
	return strings.TrimRight(publicURL, "/") + "/#" + q.Encode()
}

// plainFallback is the notification text of a message with blocks.
func plainFallback(a *rag.Answer) string {
	return escapeMrkdwn(truncateRunes(a.Answer, 300))
}

// tallyMark starts the votes' part of an answer's context line.
const tallyMark = " · 👍 "

// withTally returns a message's blocks with its answer's votes shown in
// the context line above the feedback buttons, or nil when the message
// has no such line.
func withTally(blocks []slack.Block, up, down int) []slack.Block {
	for i, b := range blocks {
		act, ok := b.(*slack.ActionBlock)
		if !ok || act.BlockID != "rag_feedback" || i == 0 {
			continue
		}
		ctx, ok := blocks[i-1].(*slack.ContextBlock)
		if !ok || len(ctx.ContextElements.Elements) == 0 {
			return nil
		}
		text, ok := ctx.ContextElements.Elements[0].(*slack.TextBlockObject)
		if !ok {
			return nil
		}
		line, _, _ := strings.Cut(text.Text, tallyMark)
		out := append([]slack.Block(nil), blocks...)
		out[i-1] = slack.NewContextBlock(ctx.BlockID, slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("%s%s%d · 👎 %d", line, tallyMark, up, down), false, false))
		return out
	}
	return nil
}
