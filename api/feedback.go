package api

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
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
	User      string `json:"user,omitempty"` // Slack's user id; set by the server
}

// Validate returns EINVALID for a rating other than up or down, an empty
// question, or fields over their limits.
func (f Feedback) Validate() error {
	switch {
	case f.Rating != "up" && f.Rating != "down":
		return rag.Errorf(rag.EINVALID, "rating must be \"up\" or \"down\", not %q", f.Rating)
	case strings.TrimSpace(f.Question) == "":
		return rag.Errorf(rag.EINVALID, "the question is empty")
	case utf8.RuneCountInString(f.Question) > 4000, utf8.RuneCountInString(f.Answer) > 20000, utf8.RuneCountInString(f.Comment) > 4000:
		return rag.Errorf(rag.ETOOLARGE, "feedback fields are limited to 4,000 characters (answer 20,000)")
	}
	return nil
}

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
