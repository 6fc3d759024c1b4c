package parser

import "errors"

// ErrReservedEvent is returned by NewEvent for a reserved event name
// (connect, connect_error, disconnect, disconnecting, newListener,
// removeListener), which the peer would reject.
var ErrReservedEvent = errors.New("socketio: reserved event name")

// NewEvent builds an EVENT packet for nsp carrying [event, args...];
// []byte values become attachments and the type BINARY_EVENT.
func NewEvent(nsp, event string, args []any) (*Packet, error) {
	if IsReservedEvent(event) {
		return nil, ErrReservedEvent
	}
	all := make([]any, 0, 1+len(args))
	all = append(all, event)
	all = append(all, args...)
	data, att, err := EncodeArgs(all)
	if err != nil {
		return nil, err
	}
	t := Event
	if len(att) > 0 {
		t = BinaryEvent
	}
	return &Packet{Type: t, Nsp: nsp, Data: data, Attachments: att}, nil
}

// NewAck builds the ACK packet answering id with args.
func NewAck(nsp string, id uint64, args []any) (*Packet, error) {
	data, att, err := EncodeArgs(args)
	if err != nil {
		return nil, err
	}
	t := Ack
	if len(att) > 0 {
		t = BinaryAck
	}
	return &Packet{Type: t, Nsp: nsp, ID: id, HasID: true, Data: data, Attachments: att}, nil
}
