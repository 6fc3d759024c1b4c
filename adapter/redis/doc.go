// Package redis is a Socket.IO cluster adapter over Redis pub/sub, wire
// compatible with the npm package @socket.io/redis-adapter 8.3 (its
// "classic" createAdapter), so Go and Node.js servers can serve one
// cluster, and @socket.io/redis-emitter can reach Go servers.
//
//	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
//	cl := redis.New(rdb, nil)
//	srv := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter})
//	...
//	srv.Close()
//	cl.Close()
//
// One Cluster serves every namespace of a server over one subscriber
// connection (plus the client's pool for publishing). It survives Redis
// restarts and network faults by itself: the subscriber reconnects with
// jittered backoff and resubscribes, publishing resumes, and requests that
// cannot be answered by every node end with an error (ErrUnavailable or a
// *TimeoutError), never with a silent partial result: see
// Adapter.FetchSockets. Redis pub/sub is at most once:
// what other nodes publish while this node is cut off from Redis is lost
// for it, and what this node publishes meanwhile is dropped (and counted in
// Stats). See the package README for the details.
//
// Wire format (see @socket.io/redis-adapter lib/index.ts): broadcasts are
// notepack.io MessagePack [uid, packet, opts] on "<key>#<nsp>#" or
// "<key>#<nsp>#<room>#"; requests and responses are JSON (MessagePack for
// broadcasts with acknowledgements) on "<key>-request#<nsp>#" and
// "<key>-response#<nsp>#"; the number of servers is PUBSUB NUMSUB of the
// request channel.
package redis
