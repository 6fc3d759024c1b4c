// Package emitter publishes Socket.IO events and cluster operations to
// servers that use a Redis adapter (Go: package
// github.com/gosio/socketio/adapter/redis; Node: @socket.io/redis-adapter)
// from a process that is not a Socket.IO server. It is wire compatible
// with @socket.io/redis-emitter 5.x and only publishes: nothing is
// subscribed, so acknowledgements are not supported.
//
//	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
//	e := emitter.New(rdb, nil)
//	err := e.To("room1").Except("room2").Emit(ctx, "news", map[string]any{"title": "..."})
//	err = e.Of("/admin").SocketsJoin(ctx, "room3")
//
// Each call is one PUBLISH; its error is the Redis error. Servers that are
// not connected to Redis at that moment miss the message (pub/sub).
//
// NewStreams makes the same emitter for servers that use the Redis
// Streams adapter (package adapter/redis/streams, or Node's
// @socket.io/redis-streams-adapter): each call is then one XADD to the
// stream, which servers read even after an outage. Node has no emitter
// for the sharded adapter, nor does this package.
package emitter
