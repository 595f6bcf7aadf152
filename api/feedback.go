package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// Feedback is the body of POST /v1/feedback, and one line of the
// feedback file with the time and request id added.
type Feedback struct {
	Time      string `json:"time,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Source    string `json:"source,omitempty"` // "web", "api", "slack"; set by the server
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	Rating    string `json:"rating"` // "up" or "down"
	Comment   string `json:"comment,omitempty"`
	// Reason says what was wrong with a 👎: "wrong", "incomplete",
	// "missed" (the corpus has it but the answer said not found) or
	// "other"; Expected is the answer the person expected, and
	// Unanswerable says the corpus cannot answer the question at all.
	Reason       string `json:"reason,omitempty"`
	Expected     string `json:"expected,omitempty"`
	Unanswerable bool   `json:"unanswerable,omitempty"`
	// DocIDs are the documents of the passages the answer showed.
	DocIDs []string `json:"doc_ids,omitempty"`
	User   string   `json:"user,omitempty"` // Slack's user id; set by the server
}

// Validate returns EINVALID for a rating other than up or down, an empty
// question, or fields over their limits.
func (f Feedback) Validate() error {
	switch {
	case f.Rating != "up" && f.Rating != "down":
		return rag.Errorf(rag.EINVALID, "rating must be \"up\" or \"down\", not %q", f.Rating)
	case strings.TrimSpace(f.Question) == "":
		return rag.Errorf(rag.EINVALID, "the question is empty")
	case utf8.RuneCountInString(f.Question) > 4000, utf8.RuneCountInString(f.Answer) > 20000, utf8.RuneCountInString(f.Comment) > 4000,
		utf8.RuneCountInString(f.Expected) > 4000:
		return rag.Errorf(rag.ETOOLARGE, "feedback fields are limited to 4,000 characters (answer 20,000)")
	case f.Reason != "" && !feedbackReasons[f.Reason]:
		return rag.Errorf(rag.EINVALID, "reason must be wrong, incomplete, missed or other, not %q", f.Reason)
	case f.Rating == "up" && (f.Reason != "" || f.Expected != "" || f.Unanswerable):
		return rag.Errorf(rag.EINVALID, "reason, expected and unanswerable go with a \"down\" rating")
	case f.Unanswerable && (f.Expected != "" || f.Reason == "missed"):
		return rag.Errorf(rag.EINVALID, "a question the corpus cannot answer has no expected answer, and was not missed")
	case len(f.DocIDs) > 50:
		return rag.Errorf(rag.ETOOLARGE, "at most 50 doc_ids")
	}
	for _, id := range f.DocIDs {
		if err := rag.ValidateDocID(id); err != nil {
			return err
		}
	}
	return nil
}

// feedbackReasons are what a 👎 may say was wrong.
var feedbackReasons = map[string]bool{"wrong": true, "incomplete": true, "missed": true, "other": true}

// RecordFeedback appends one feedback line to the server's JSONL file.
// Slack's buttons record through it too.
func (s *Server) RecordFeedback(f Feedback) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if s.cfg.FeedbackPath == "" {
		return rag.Errorf(rag.EUNAVAILABLE, "feedback is not stored on this server")
	}
	f.Time = time.Now().UTC().Format(time.RFC3339Nano)
	line, err := json.Marshal(f)
	if err != nil {
		return err
	}
	s.feedbackMu.Lock()
	defer s.feedbackMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.cfg.FeedbackPath), 0o755); err != nil {
		return err
	}
	file, err := os.OpenFile(s.cfg.FeedbackPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := file.Write(append(line, '\n')); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	s.metrics.feedback.WithLabelValues(f.Rating, f.Source).Inc()
	return nil
}

func (s *Server) feedback(c echo.Context) error {
	var f Feedback
	if err := decodeJSON(c, &f); err != nil {
		return err
	}
	f.RequestID = requestIDOf(c)
	// Who gave the feedback is the server's to say, never the body's: a
	// request may not pass itself off as a Slack user's vote.
	f.Source, f.User = "api", ""
	if c.Request().Header.Get("Sec-Fetch-Site") == "same-origin" {
		f.Source = "web" // the chat page this server serves
	}
	if err := s.RecordFeedback(f); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"status": "recorded"})
}

// ReadFeedback reads the feedback file, oldest first; a missing file is
// no feedback. Lines that do not parse (a torn last line) are skipped.
func ReadFeedback(path string) ([]Feedback, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Feedback
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var fb Feedback
		if json.Unmarshal(sc.Bytes(), &fb) == nil {
			out = append(out, fb)
		}
	}
	return out, sc.Err()
}

// FeedbackList is the body of GET /v1/feedback.
type FeedbackList struct {
	// Total is how many match the filters; Feedback the newest of them.
	Total    int        `json:"total"`
	Feedback []Feedback `json:"feedback"`
}

// listFeedback answers GET /v1/feedback for the admin: newest first,
// filtered by rating, reason, source and time (?rating=down&reason=missed
// &source=web&since=2026-11-01T00:00:00Z&limit=100).
func (s *Server) listFeedback(c echo.Context) error {
	q := c.QueryParams()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return rag.Errorf(rag.EINVALID, "limit must be a number from 1 to 1000, not %q", v)
		}
		limit = n
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return rag.Errorf(rag.EINVALID, "since must be a time like 2026-11-01T00:00:00Z, not %q", v)
		}
		since = t
	}
	if v := q.Get("rating"); v != "" && v != "up" && v != "down" {
		return rag.Errorf(rag.EINVALID, "rating must be up or down, not %q", v)
	}
	if v := q.Get("reason"); v != "" && !feedbackReasons[v] {
		return rag.Errorf(rag.EINVALID, "reason must be wrong, incomplete, missed or other, not %q", v)
	}
	if s.cfg.FeedbackPath == "" {
		return rag.Errorf(rag.EUNAVAILABLE, "feedback is not stored on this server")
	}
	s.feedbackMu.Lock()
	all, err := ReadFeedback(s.cfg.FeedbackPath)
	s.feedbackMu.Unlock()
	if err != nil {
		return err
	}
	out := FeedbackList{Feedback: []Feedback{}}
	for i := len(all) - 1; i >= 0; i-- {
		f := all[i]
		t, _ := time.Parse(time.RFC3339Nano, f.Time)
		if (q.Get("rating") != "" && f.Rating != q.Get("rating")) || (q.Get("reason") != "" && f.Reason != q.Get("reason")) ||
			(q.Get("source") != "" && f.Source != q.Get("source")) || (!since.IsZero() && t.Before(since)) {
			continue
		}
		out.Total++
		if len(out.Feedback) < limit {
			out.Feedback = append(out.Feedback, f)
		}
	}
	return c.JSON(http.StatusOK, out)
}
