package streams

import (
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// writerClient returns the client the publisher writes with: a copy of
// rdb (same address, credentials, TLS, pool size) that never retries a
// command by itself, so that a XADD whose reply was lost is not written
// twice behind the publisher's back (the publisher retries, after looking
// whether it was written). For client types it cannot copy it returns rdb,
// and a no-op close.
func writerClient(rdb goredis.UniversalClient) (goredis.UniversalClient, func()) {
	off := &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	switch c := rdb.(type) {
	case *goredis.Client:
		o := *c.Options()
		o.MaxRetries, o.MaintNotificationsConfig = -1, off
		w := goredis.NewClient(&o)
		return w, func() { _ = w.Close() }
	case *goredis.ClusterClient:
		o := *c.Options()
		o.MaxRetries, o.MaintNotificationsConfig = -1, off
		w := goredis.NewClusterClient(&o)
		return w, func() { _ = w.Close() }
	}
	return rdb, func() {}
}
