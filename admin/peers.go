package admin

import (
	"context"
	"time"
)

// peerEvent asks the other gosio nodes of a cluster for the Engine.IO
// id and transport of their sockets. A Node node keeps those in each
// socket's data (data._admin), which FetchSockets carries; a gosio node
// does not touch the application's data, so its peers ask it with this
// server-side event instead. Node nodes have no listener for it and do
// not answer: what they did not answer comes from data._admin.
const peerEvent = "gosio:admin:sockets"

// peerWait bounds how long a UI's socket list waits for the peers'
// answers (a cluster of gosio nodes answers at once; a Node node never).
const peerWait = time.Second

// answerPeers registers the answer to peerEvent (on the adapter's
// goroutine: it only reads).
func (a *Admin) answerPeers() {
	a.nsp.OnServerSideEmit(peerEvent, func(ack func(map[string]map[string]adminData)) {
		ack(a.localSockets())
	})
}

// localSockets returns, per namespace and socket id, the engine id and
// transport of this node's sockets.
func (a *Admin) localSockets() map[string]map[string]adminData {
	out := map[string]map[string]adminData{}
	for _, n := range a.srv.Namespaces() {
		m := map[string]adminData{}
		for id, s := range n.Sockets() {
			ser := serializeLocal(s)
			m[id] = adminData{ClientID: ser.ClientID, Transport: ser.Transport}
		}
		out[n.Name()] = m
	}
	return out
}

// fillFromPeers completes the remote sockets of list that lack an engine
// id or a transport with what the other gosio nodes answer.
func (a *Admin) fillFromPeers(list []serializedSocket) {
	missing := false
	for _, s := range list {
		if s.Transport == "" {
			missing = true
			break
		}
	}
	if !missing {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(peerWait, a.opts.FetchTimeout))
	defer cancel()
	replies, _ := a.nsp.ServerSideEmitWithAck(ctx, peerEvent)
	known := map[string]map[string]adminData{}
	for _, r := range replies {
		var m map[string]map[string]adminData
		if r.Decode(0, &m) != nil {
			continue
		}
		for nsp, sockets := range m {
			if known[nsp] == nil {
				known[nsp] = map[string]adminData{}
			}
			for id, d := range sockets {
				known[nsp][id] = d
			}
		}
	}
	for i := range list {
		if d, ok := known[list[i].Nsp][list[i].ID]; ok && list[i].Transport == "" {
			list[i].ClientID, list[i].Transport = d.ClientID, d.Transport
		}
	}
}
