// Package metrics exposes commsbot's Prometheus metrics. It implements
// bot.Observer, so the engine and the review workflow report through it, and
// offers counters for what the adapters see (platform API errors).
//
// Labels are bounded sets — intent names, languages, review categories —
// never user ids or message text.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/commsbot/commsbot/bot"
)

// Metrics holds commsbot's collectors in their own registry.
type Metrics struct {
	reg          *prometheus.Registry
	questions    *prometheus.CounterVec
	abstentions  *prometheus.CounterVec
	latency      prometheus.Histogram
	reviews      *prometheus.CounterVec
	events       *prometheus.CounterVec
	platformErrs *prometheus.CounterVec
	feedback     *prometheus.CounterVec
	// Paraphrasing (llm.Observer).
	llmRequests  prometheus.Counter
	llmLatency   prometheus.Histogram
	llmFallbacks *prometheus.CounterVec
	llmCacheHits prometheus.Counter
}

// New registers commsbot's metrics, with the Go and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_questions_total", Help: "Questions handled, by intent and answer language.",
		}, []string{"intent", "lang"}),
		abstentions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_abstentions_total", Help: "Questions answered with \"I can't answer that from the guidance I hold\", by language.",
		}, []string{"lang"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "commsbot_handle_seconds", Help: "Time to handle one message, store calls included.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_reviews_total", Help: "Review workflow events (opened, claimed, resolved, reminded, notified, failed, notify-failed), by category.",
		}, []string{"action", "category"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_events_total", Help: "Dedupe hits (duplicate), rate-limited requests and unavailable conversation state.",
		}, []string{"event"}),
		platformErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_platform_api_errors_total", Help: "Errors from platform APIs, by platform.",
		}, []string{"platform"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_feedback_total", Help: "Answer feedback (up, down), by intent.",
		}, []string{"intent", "vote"}),
		llmRequests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "commsbot_llm_requests_total", Help: "Curated answers the LLM was asked to paraphrase (cache hits included).",
		}),
		llmLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "commsbot_llm_seconds", Help: "Time of one call to the model server, whatever its outcome.",
			Buckets: []float64{.05, .1, .25, .5, 1, 1.5, 2, 3, 4, 6, 10},
		}),
		llmFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "commsbot_llm_fallbacks_total", Help: "Curated answers used instead of a paraphrase, by reason (timeout, http-error, malformed, empty, language, length, new-url, new-number, new-platform, missing-term, negation, …).",
		}, []string{"reason"}),
		llmCacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "commsbot_llm_cache_hits_total", Help: "Paraphrases served from the cache.",
		}),
	}
	m.reg.MustRegister(m.questions, m.abstentions, m.latency, m.reviews, m.events, m.platformErrs, m.feedback,
		m.llmRequests, m.llmLatency, m.llmFallbacks, m.llmCacheHits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics are in, for tests and extra
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Answered implements bot.Observer.
func (m *Metrics) Answered(r bot.Reply, took time.Duration) {
	intent := r.Intent
	if intent == "" {
		intent = "none"
	}
	m.questions.WithLabelValues(intent, string(r.Lang)).Inc()
	if r.Abstained {
		m.abstentions.WithLabelValues(string(r.Lang)).Inc()
	}
	m.latency.Observe(took.Seconds())
}

// Event implements bot.Observer.
func (m *Metrics) Event(name string) { m.events.WithLabelValues(name).Inc() }

// ReviewEvent implements bot.ReviewObserver.
func (m *Metrics) ReviewEvent(action, category string) {
	m.reviews.WithLabelValues(action, category).Inc()
}

// PlatformError counts an error from a platform's API.
func (m *Metrics) PlatformError(platform string) { m.platformErrs.WithLabelValues(platform).Inc() }

// Feedback counts a 👍 or 👎 on an answer: aggregate counts only.
func (m *Metrics) Feedback(intent string, up bool) {
	vote := "down"
	if up {
		vote = "up"
	}
	m.feedback.WithLabelValues(intent, vote).Inc()
}

// ParaphraseRequested implements llm.Observer.
func (m *Metrics) ParaphraseRequested() { m.llmRequests.Inc() }

// ModelCalled implements llm.Observer.
func (m *Metrics) ModelCalled(took time.Duration) { m.llmLatency.Observe(took.Seconds()) }

// ParaphraseFallback implements llm.Observer; reason is one of llm's
// bounded set of reasons.
func (m *Metrics) ParaphraseFallback(reason string) { m.llmFallbacks.WithLabelValues(reason).Inc() }

// ParaphraseCacheHit implements llm.Observer.
func (m *Metrics) ParaphraseCacheHit() { m.llmCacheHits.Inc() }
