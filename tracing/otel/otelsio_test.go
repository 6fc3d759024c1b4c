package otelsio

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientSpan  = "00f067aa0ba902b7"
)

// traced runs a server traced into an in-memory exporter, with the
// handlers the tests drive: "chat" answers the sender and the room,
// "fail" returns an error, "typing" is ignored by the tracer, "nested"
// starts a span of its own from ContextOf.
func traced(t *testing.T, opts ...Option) (*tracetest.InMemoryExporter, string, *Tracer) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	io := socketio.NewServer(nil)
	tr := Instrument(io, append([]Option{WithTracerProvider(tp)}, opts...)...)
	io.OnConnection(func(s *socketio.Socket) {
		s.Join("room")
		s.On("chat", func(msg string) {
			s.Emit("echo", msg)
			io.To("room").Emit("line", msg)
		})
		s.On("fail", func() error { return errors.New("refused") })
		s.On("typing", func() {})
		s.On("nested", func() {
			_, span := tp.Tracer("app").Start(tr.ContextOf(s), "work")
			span.End()
		})
		s.On("tick", func() { s.Emit("tick") })
	})
	hs := httptest.NewServer(io)
	t.Cleanup(func() { io.Close(); hs.Close() })
	return exp, hs.URL, tr
}

func dial(t *testing.T, url string, auth map[string]any) *client.Socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, url+"/", &client.Options{Auth: auth, Transports: []string{"websocket"}, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return s
}

// waitSpans waits until the exporter holds n spans named name.
func waitSpans(t *testing.T, exp *tracetest.InMemoryExporter, name string, n int) []tracetest.SpanStub {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var out []tracetest.SpanStub
		for _, s := range exp.GetSpans() {
			if s.Name == name {
				out = append(out, s)
			}
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			var names []string
			for _, s := range exp.GetSpans() {
				names = append(names, s.Name)
			}
			t.Fatalf("%d %q spans, want %d; have %q", len(out), name, n, names)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

func byEvent(spans []tracetest.SpanStub, event string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if attrs(s)[AttrEventName].AsString() == event {
			out = append(out, s)
		}
	}
	return out
}

// TestSpans: names, kinds, attributes and parents as the JavaScript
// instrumentation gives them, the handshake's traceparent as the parent
// of the socket's receive spans, and an emit from a handler as a child
// of its receive span.
func TestSpans(t *testing.T) {
	exp, url, _ := traced(t, WithHandshakeContext())
	c := dial(t, url, map[string]any{"traceparent": "00-" + clientTrace + "-" + clientSpan + "-01"})
	got := make(chan string, 4)
	c.On("echo", func(s string) { got <- s })
	c.Emit("chat", "hi")
	<-got

	recv := byEvent(waitSpans(t, exp, "receive /", 1), "chat")
	if len(recv) != 1 {
		t.Fatalf("receive spans for chat: %d", len(recv))
	}
	r := recv[0]
	if r.SpanKind != trace.SpanKindConsumer {
		t.Errorf("receive kind %v", r.SpanKind)
	}
	a := attrs(r)
	for k, want := range map[attribute.Key]string{AttrSystem: "socket.io", AttrDestination: "/", AttrOperation: "receive", AttrEventName: "chat"} {
		if a[k].AsString() != want {
			t.Errorf("receive %s = %q, want %q", k, a[k].AsString(), want)
		}
	}
	if r.Parent.TraceID().String() != clientTrace || r.Parent.SpanID().String() != clientSpan || !r.Parent.IsRemote() {
		t.Errorf("receive parent %v, want the handshake's %s/%s", r.Parent, clientTrace, clientSpan)
	}

	sends := waitSpans(t, exp, "send /", 2)
	echo, line := byEvent(sends, "echo"), byEvent(sends, "line")
	if len(echo) != 1 || len(line) != 1 {
		t.Fatalf("send spans: echo %d, line %d", len(echo), len(line))
	}
	for _, s := range []tracetest.SpanStub{echo[0], line[0]} {
		a := attrs(s)
		if s.SpanKind != trace.SpanKindProducer || a[AttrSystem].AsString() != "socket.io" || a[AttrDestinationKind].AsString() != "topic" ||
			a[AttrNamespace].AsString() != "/" || a[AttrDestination].AsString() != "/" {
			t.Errorf("send span %s: kind %v attributes %v", a[AttrEventName].AsString(), s.SpanKind, a)
		}
	}
	if rooms := attrs(line[0])[AttrRooms].AsStringSlice(); !slices.Equal(rooms, []string{"room"}) {
		t.Errorf("broadcast rooms %q", rooms)
	}
	if rooms := attrs(echo[0])[AttrRooms].AsStringSlice(); !slices.Contains(rooms, c.ID()) || !slices.Contains(rooms, "room") {
		t.Errorf("socket emit rooms %q, want the socket's rooms", rooms)
	}
	if echo[0].Parent.SpanID() != r.SpanContext.SpanID() || echo[0].SpanContext.TraceID().String() != clientTrace {
		t.Errorf("an emit from a handler is not a child of its receive span: parent %v, receive %v", echo[0].Parent, r.SpanContext)
	}

	c.Emit("nested")
	work := waitSpans(t, exp, "work", 1)[0]
	nested := byEvent(waitSpans(t, exp, "receive /", 2), "nested")[0]
	if work.Parent.SpanID() != nested.SpanContext.SpanID() {
		t.Errorf("ContextOf in a handler does not give its receive span")
	}
}

// TestErrorsAndIgnoreLists: a failing handler marks its span; ignored
// events are not traced, in either direction.
func TestErrorsAndIgnoreLists(t *testing.T) {
	exp, url, _ := traced(t, WithOnIgnore("typing"), WithEmitIgnore("tick"),
		WithOnHook(func(span trace.Span, e *socketio.Event) { span.SetAttributes(attribute.Int("app.args", e.Len())) }))
	c := dial(t, url, nil)
	got := make(chan struct{}, 1)
	c.On("tick", func() { got <- struct{}{} })
	c.Emit("typing")
	c.Emit("fail", 1, 2)
	c.Emit("tick")
	<-got
	recv := waitSpans(t, exp, "receive /", 2)
	if n := len(byEvent(recv, "typing")); n != 0 {
		t.Errorf("an ignored event was traced %d times", n)
	}
	fail := byEvent(recv, "fail")
	if len(fail) != 1 || fail[0].Status.Code != codes.Error || fail[0].Status.Description != "refused" || len(fail[0].Events) == 0 {
		t.Fatalf("failing handler span %+v", fail)
	}
	if attrs(fail[0])["app.args"].AsInt64() != 2 {
		t.Errorf("the on hook did not run: %v", attrs(fail[0]))
	}
	if n := len(byEvent(exp.GetSpans(), "tick")); n != 1 { // its receive span only
		t.Errorf("tick: %d spans, want 1 (the emit is ignored)", n)
	}
	if c := byEvent(recv, "fail")[0]; c.Parent.IsValid() {
		t.Errorf("without a handshake context a receive span has parent %v", c.Parent)
	}
}
