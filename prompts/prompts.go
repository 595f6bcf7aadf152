// Package prompts holds the prompt templates for model providers, embedded
// in the binary and overridable from a directory.
package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var embedded embed.FS

// Template file names.
const (
	AnswerSystem = "answer.system.tmpl"
	AnswerUser   = "answer.user.tmpl"
	FollowUp     = "followup.tmpl"
)

// NotFound is the reply the answer prompt asks for when the passages do
// not hold the answer.
const NotFound = "I cannot answer from the corpus."

// Passage is a numbered passage as the answer prompt shows it.
type Passage struct {
	N     int
	Title string
	DocID string
	Text  string
}

// Turn is one message of a conversation.
type Turn struct {
	Role    string
	Content string
}

// AnswerData fills the answer templates.
type AnswerData struct {
	Question string
	Passages []Passage
	NotFound string
}

// FollowUpData fills the follow-up template.
type FollowUpData struct {
	Question string
	History  []Turn
}

// Set is a parsed, checked set of templates.
type Set struct {
	answerSystem, answerUser, followUp *template.Template
}

// Load parses the templates from dir, or the embedded ones when dir is
// empty; a file missing from dir falls back to the embedded one. Each
// template is rendered once with sample data, so a template that names a
// variable that does not exist, or leaves out one it needs, fails here at
// start-up and not at request time.
func Load(dir string) (*Set, error) {
	var s Set
	for _, t := range []struct {
		name string
		dst  **template.Template
	}{{AnswerSystem, &s.answerSystem}, {AnswerUser, &s.answerUser}, {FollowUp, &s.followUp}} {
		text, err := read(dir, t.name)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(t.name).Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("prompt %s: %w", t.name, err)
		}
		*t.dst = tmpl
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

func read(dir, name string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("prompt %s: %w", name, err)
		}
	}
	b, err := embedded.ReadFile(name)
	return string(b), err
}

// check renders every template with sample values and requires each value
// the template must show to appear.
func (s *Set) check() error {
	sample := AnswerData{
		Question: "SAMPLE-QUESTION",
		Passages: []Passage{{N: 7, Title: "SAMPLE-TITLE", DocID: "SAMPLE-DOC", Text: "SAMPLE-TEXT"}},
		NotFound: NotFound,
	}
	sys, err := render(s.answerSystem, sample)
	if err != nil {
		return err
	}
	user, err := render(s.answerUser, sample)
	if err != nil {
		return err
	}
	for _, need := range []string{"SAMPLE-QUESTION", "SAMPLE-TEXT", "7", "SAMPLE-TITLE"} {
		if !strings.Contains(sys+user, need) {
			return fmt.Errorf("prompt %s/%s: the answer prompt must show the question and each passage's number, title and text (missing %s)", AnswerSystem, AnswerUser, need)
		}
	}
	if !strings.Contains(sys+user, NotFound) {
		return fmt.Errorf("prompt %s: the answer prompt must give the not-found reply {{.NotFound}}", AnswerSystem)
	}
	fu, err := render(s.followUp, FollowUpData{Question: "SAMPLE-QUESTION", History: []Turn{{Role: "user", Content: "SAMPLE-HISTORY"}}})
	if err != nil {
		return err
	}
	if !strings.Contains(fu, "SAMPLE-QUESTION") || !strings.Contains(fu, "SAMPLE-HISTORY") {
		return fmt.Errorf("prompt %s: the follow-up prompt must show the history and the question", FollowUp)
	}
	return nil
}

func render(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("prompt %s: %w", t.Name(), err)
	}
	return b.String(), nil
}

// Answer renders the answer prompt: a system message and a user message.
func (s *Set) Answer(d AnswerData) (system, user string, err error) {
	d.NotFound = NotFound
	if system, err = render(s.answerSystem, d); err != nil {
		return "", "", err
	}
	user, err = render(s.answerUser, d)
	return system, user, err
}

// FollowUp renders the prompt that turns a follow-up into a standalone question.
func (s *Set) FollowUp(d FollowUpData) (string, error) {
	return render(s.followUp, d)
}
