// Package llmtest is a fake OpenAI-compatible chat completions server for
// tests: it records what commsbot sends and answers what the test says,
// without reaching any network beyond the loopback interface.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one chat completion request as the server received it.
type Request struct {
	// Body is the raw request body.
	Body  string
	Model string
	// System and User are the contents of the system and user messages.
	System, User string
	// Answer and Question are the curated answer and the (redacted)
	// question, read back from the user message and unescaped.
	Answer, Question string
}

// Reply is what the server answers.
type Reply struct {
	// Content is the assistant message.
	Content string
	// Status, when not 0 or 200, is the HTTP status, with Raw as body (or
	// an OpenAI error object).
	Status int
	// Raw, when set, is sent as the body instead of a chat completion.
	Raw string
	// Delay makes the server wait this long first, or until the client
	// gives up.
	Delay time.Duration
}

// Server is a fake model server. Its zero value is not usable; call New.
type Server struct {
	srv   *httptest.Server
	reply func(Request) Reply
	mu    sync.Mutex
	reqs  []Request
}

// New starts a server that answers every request with reply(request), and
// stops it when the test ends.
func New(t testing.TB, reply func(Request) Reply) *Server {
	s := &Server{reply: reply}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL, for OPENAI_BASE_URL.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Calls is how many requests the server received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	b, _ := io.ReadAll(r.Body)
	req := parse(b)
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	rep := s.reply(req)
	if rep.Delay > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(rep.Delay):
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.Status != 0 && rep.Status != http.StatusOK {
		w.WriteHeader(rep.Status)
		if rep.Raw == "" {
			rep.Raw = `{"error":{"message":"fake failure","type":"server_error"}}`
		}
		io.WriteString(w, rep.Raw)
		return
	}
	if rep.Raw != "" {
		io.WriteString(w, rep.Raw)
		return
	}
	io.WriteString(w, Completion(req.Model, rep.Content))
}

// Completion is a chat completion response whose message is content.
func Completion(model, content string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": model,
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content},
		}},
		"usage": map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
	})
	return string(b)
}

var unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func parse(body []byte) Request {
	req := Request{Body: string(body)}
	var in struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &in) != nil {
		return req
	}
	req.Model = in.Model
	for _, m := range in.Messages {
		switch m.Role {
		case "system":
			req.System = m.Content
		case "user":
			req.User = m.Content
		}
	}
	req.Answer = unescape.Replace(between(req.User, "<answer>\n", "\n</answer>"))
	req.Question = unescape.Replace(between(req.User, "<question>\n", "\n</question>"))
	return req
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(after, end)
	return in
}

// Echo answers with the curated answer itself: a paraphrase that passes
// every check.
func Echo(r Request) Reply { return Reply{Content: r.Answer} }

// String describes a request, for test failures.
func (r Request) String() string { return fmt.Sprintf("model %s, question %q", r.Model, r.Question) }
