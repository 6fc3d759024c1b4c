// Package otelsio traces a gosio server with OpenTelemetry, naming spans
// and attributes as the JavaScript @opentelemetry/instrumentation-socket.io
// does, so that Go and Node services read alike in one backend. It is its
// own module: the core pulls no OpenTelemetry code.
//
//	otelsio.Instrument(io, otelsio.WithTracerProvider(tp), otelsio.WithHandshakeContext())
//
// Spans:
//
//   - PRODUCER "send <namespace>" for each emit, to one socket or as a
//     broadcast: messaging.system "socket.io", messaging.destination_kind
//     "topic", messaging.destination and messaging.socket.io.namespace
//     (the namespace), messaging.socket.io.event_name, and
//     messaging.socket.io.rooms (a broadcast's target rooms; a socket's
//     own rooms for an emit to it), when there are any.
//   - CONSUMER "receive <namespace>" for each event a client sends,
//     around its handlers: messaging.system, messaging.destination,
//     messaging.operation "receive", messaging.socket.io.event_name; an
//     error a handler returned (or a panic) is recorded and sets the
//     status to Error.
//
// Socket.IO packets carry no headers, so a trace cannot follow each
// event from the client. WithHandshakeContext reads a W3C traceparent
// (and tracestate) from the socket's handshake auth ({auth: {traceparent}}
// in socket.io-client): the socket's receive spans are then children of
// the client's span. An emit to a socket while one of its events is being
// handled is a child of that event's receive span, and ContextOf gives a
// handler that context for its own spans.
package otelsio

import (
	"context"
	"slices"
	"sync"

	"github.com/gosio/socketio"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer.
const ScopeName = "github.com/gosio/socketio/tracing/otel"

// Attribute keys, as the JavaScript instrumentation sets them.
const (
	AttrSystem          = attribute.Key("messaging.system")
	AttrDestination     = attribute.Key("messaging.destination")
	AttrDestinationKind = attribute.Key("messaging.destination_kind")
	AttrOperation       = attribute.Key("messaging.operation")
	AttrEventName       = attribute.Key("messaging.socket.io.event_name")
	AttrRooms           = attribute.Key("messaging.socket.io.rooms")
	AttrNamespace       = attribute.Key("messaging.socket.io.namespace")
)

type config struct {
	tp         trace.TracerProvider
	prop       propagation.TextMapPropagator
	handshake  bool
	emitIgnore []string
	onIgnore   []string
	emitHook   func(span trace.Span, nsp *socketio.Namespace, event string)
	onHook     func(span trace.Span, e *socketio.Event)
	ignoreNsp  string
}

// Option configures Instrument.
type Option func(*config)

// WithTracerProvider sets the tracer provider (default: otel's global).
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithHandshakeContext reads the trace context of each socket from its
// handshake auth (the keys "traceparent" and "tracestate"), with p, or
// the W3C TraceContext propagator if p is nil.
func WithHandshakeContext(p ...propagation.TextMapPropagator) Option {
	return func(c *config) {
		c.handshake = true
		if len(p) > 0 && p[0] != nil {
			c.prop = p[0]
		}
	}
}

// WithEmitIgnore lists events whose emits are not traced (JS:
// emitIgnoreEventList).
func WithEmitIgnore(events ...string) Option {
	return func(c *config) { c.emitIgnore = append(c.emitIgnore, events...) }
}

// WithOnIgnore lists events whose reception is not traced (JS:
// onIgnoreEventList).
func WithOnIgnore(events ...string) Option {
	return func(c *config) { c.onIgnore = append(c.onIgnore, events...) }
}

// WithEmitHook calls f on each send span before the emit, to add
// attributes (JS: emitHook).
func WithEmitHook(f func(span trace.Span, nsp *socketio.Namespace, event string)) Option {
	return func(c *config) { c.emitHook = f }
}

// WithOnHook calls f on each receive span before the handlers, with the
// event and its arguments (JS: onHook).
func WithOnHook(f func(span trace.Span, e *socketio.Event)) Option {
	return func(c *config) { c.onHook = f }
}

// WithoutNamespace traces nothing of namespace name (for instance the
// admin UI's "/admin", whose statistics are emitted every 2 s).
func WithoutNamespace(name string) Option { return func(c *config) { c.ignoreNsp = name } }

// Tracer is the instrumentation of one server.
type Tracer struct {
	cfg    config
	tracer trace.Tracer

	mu      sync.Mutex
	sockets map[*socketio.Socket]*socketContexts
}

// socketContexts are a socket's trace contexts: from its handshake, and
// of the event being handled (handlers of one socket run one at a time).
type socketContexts struct {
	handshake context.Context // nil: none
	current   context.Context // nil: no event being handled
}

// Instrument traces srv (installing its hooks with srv.AddHooks) and
// returns the tracer, for ContextOf.
func Instrument(srv *socketio.Server, opts ...Option) *Tracer {
	t := &Tracer{sockets: map[*socketio.Socket]*socketContexts{}}
	for _, o := range opts {
		o(&t.cfg)
	}
	if t.cfg.tp == nil {
		t.cfg.tp = otel.GetTracerProvider()
	}
	if t.cfg.prop == nil {
		t.cfg.prop = propagation.TraceContext{}
	}
	t.tracer = t.cfg.tp.Tracer(ScopeName)
	srv.AddHooks(&socketio.Hooks{
		Connect:    t.onConnect,
		Disconnect: t.onDisconnect,
		Event:      t.onEvent,
		Emit:       t.onEmit,
	})
	return t
}

// ContextOf returns the context of s's traces: that of the receive span
// of the event being handled (call it from the handler), else the
// context from the handshake (WithHandshakeContext), else Background.
func (t *Tracer) ContextOf(s *socketio.Socket) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sc := t.sockets[s]; sc != nil {
		if sc.current != nil {
			return sc.current
		}
		if sc.handshake != nil {
			return sc.handshake
		}
	}
	return context.Background()
}

func (t *Tracer) ignored(nsp *socketio.Namespace) bool {
	return t.cfg.ignoreNsp != "" && nsp.Name() == t.cfg.ignoreNsp
}

func (t *Tracer) onConnect(s *socketio.Socket) {
	if t.ignored(s.Namespace()) {
		return
	}
	sc := &socketContexts{}
	if t.cfg.handshake {
		carrier := propagation.MapCarrier{}
		for _, k := range t.cfg.prop.Fields() {
			if v, ok := s.Handshake().Auth[k].(string); ok {
				carrier[k] = v
			}
		}
		if ctx := t.cfg.prop.Extract(context.Background(), carrier); trace.SpanContextFromContext(ctx).IsValid() {
			sc.handshake = ctx
		}
	}
	t.mu.Lock()
	t.sockets[s] = sc
	t.mu.Unlock()
}

func (t *Tracer) onDisconnect(s *socketio.Socket, _ socketio.Reason, _ error) {
	t.mu.Lock()
	delete(t.sockets, s)
	t.mu.Unlock()
}

// parent returns the context a span of s starts from.
func (t *Tracer) parent(s *socketio.Socket) context.Context {
	if s == nil {
		return context.Background()
	}
	return t.ContextOf(s)
}

func (t *Tracer) onEvent(s *socketio.Socket, e *socketio.Event) func(error) {
	nsp := s.Namespace()
	if t.ignored(nsp) || slices.Contains(t.cfg.onIgnore, e.Name) {
		return nil
	}
	t.mu.Lock()
	sc := t.sockets[s]
	var parent context.Context = context.Background()
	if sc != nil && sc.handshake != nil {
		parent = sc.handshake
	}
	t.mu.Unlock()
	ctx, span := t.tracer.Start(parent, "receive "+nsp.Name(),
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			AttrSystem.String("socket.io"),
			AttrDestination.String(nsp.Name()),
			AttrOperation.String("receive"),
			AttrEventName.String(e.Name),
		))
	if t.cfg.onHook != nil {
		t.cfg.onHook(span, e)
	}
	if sc != nil {
		t.mu.Lock()
		sc.current = ctx
		t.mu.Unlock()
	}
	return func(err error) {
		if sc != nil {
			t.mu.Lock()
			sc.current = nil
			t.mu.Unlock()
		}
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

func (t *Tracer) onEmit(nsp *socketio.Namespace, s *socketio.Socket, event string, rooms []string) func() {
	if t.ignored(nsp) || slices.Contains(t.cfg.emitIgnore, event) {
		return nil
	}
	if s != nil {
		rooms = s.Rooms()
		slices.Sort(rooms)
	}
	attrs := []attribute.KeyValue{
		AttrSystem.String("socket.io"),
		AttrDestinationKind.String("topic"),
		AttrEventName.String(event),
		AttrNamespace.String(nsp.Name()),
		AttrDestination.String(nsp.Name()),
	}
	if len(rooms) > 0 {
		attrs = append(attrs, AttrRooms.StringSlice(rooms))
	}
	_, span := t.tracer.Start(t.parent(s), "send "+nsp.Name(),
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attrs...))
	if t.cfg.emitHook != nil {
		t.cfg.emitHook(span, nsp, event)
	}
	return func() { span.End() }
}
