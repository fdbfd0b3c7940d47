// p4rt-interop drives a P4Runtime server with the official P4Runtime Go
// bindings (github.com/p4lang/p4runtime, generated from the specification's
// own .proto files) and checks the answers the specification prescribes:
// arbitration status codes, primary-only writes, pipeline push with cookie,
// per-update errors in grpc-status-details-bin, wildcard reads and the
// canonical byte strings read back. zonekeeper's tests run it against the
// software switch; since nobody here wrote these bindings, a passing run
// shows zonekeeper's own protos are wire-compatible with the standard ones.
//
// Usage: p4rt-interop -addr 127.0.0.1:9559 -device-id 1 -p4info p4/zone_switch.p4info.txtpb
// Prints one "ok NAME" or "FAIL NAME: why" line per check and exits 1 on any FAIL.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"fmt"
	"os"
	"time"

	p4configv1 "github.com/p4lang/p4runtime/go/p4/config/v1"
	p4v1 "github.com/p4lang/p4runtime/go/p4/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
)

var failed = 0

func check(name string, err error) {
	if err != nil {
		failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	fmt.Printf("ok %s\n", name)
}

func expectCode(err error, want codes.Code) error {
	if got := status.Code(err); got != want {
		return fmt.Errorf("got %v (%v), want %v", got, err, want)
	}
	return nil
}

type ids struct {
	tables  map[string]uint32
	actions map[string]uint32
}

func index(info *p4configv1.P4Info) ids {
	x := ids{tables: map[string]uint32{}, actions: map[string]uint32{}}
	for _, t := range info.Tables {
		x.tables[t.Preamble.Name] = t.Preamble.Id
	}
	for _, a := range info.Actions {
		x.actions[a.Preamble.Name] = a.Preamble.Id
	}
	return x
}

// openStream sends the first arbitration message and returns the first answer.
func openStream(ctx context.Context, c p4v1.P4RuntimeClient, device uint64, election *p4v1.Uint128) (p4v1.P4Runtime_StreamChannelClient, *p4v1.MasterArbitrationUpdate, error) {
	s, err := c.StreamChannel(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Send(&p4v1.StreamMessageRequest{Update: &p4v1.StreamMessageRequest_Arbitration{Arbitration: &p4v1.MasterArbitrationUpdate{DeviceId: device, ElectionId: election}}}); err != nil {
		return nil, nil, err
	}
	m, err := s.Recv()
	if err != nil {
		return s, nil, err
	}
	return s, m.GetArbitration(), nil
}

func markEntry(x ids, vlan []byte, dscp []byte) *p4v1.Entity {
	return &p4v1.Entity{Entity: &p4v1.Entity_TableEntry{TableEntry: &p4v1.TableEntry{
		TableId: x.tables["ZoneIngress.zone_mark"],
		Match:   []*p4v1.FieldMatch{{FieldId: 1, FieldMatchType: &p4v1.FieldMatch_Exact_{Exact: &p4v1.FieldMatch_Exact{Value: vlan}}}},
		Action: &p4v1.TableAction{Type: &p4v1.TableAction_Action{Action: &p4v1.Action{
			ActionId: x.actions["ZoneIngress.set_dscp"],
			Params:   []*p4v1.Action_Param{{ParamId: 1, Value: dscp}},
		}}},
	}}}
}

func aclEntry(x ids, vlan []byte, value, mask []byte, priority int32) *p4v1.Entity {
	return &p4v1.Entity{Entity: &p4v1.Entity_TableEntry{TableEntry: &p4v1.TableEntry{
		TableId: x.tables["ZoneIngress.zone_acl"],
		Match: []*p4v1.FieldMatch{
			{FieldId: 1, FieldMatchType: &p4v1.FieldMatch_Exact_{Exact: &p4v1.FieldMatch_Exact{Value: vlan}}},
			{FieldId: 2, FieldMatchType: &p4v1.FieldMatch_Ternary_{Ternary: &p4v1.FieldMatch_Ternary{Value: value, Mask: mask}}},
		},
		Priority: priority,
		Action:   &p4v1.TableAction{Type: &p4v1.TableAction_Action{Action: &p4v1.Action{ActionId: x.actions["ZoneIngress.acl_permit"]}}},
	}}}
}

func update(t p4v1.Update_Type, e *p4v1.Entity) *p4v1.Update { return &p4v1.Update{Type: t, Entity: e} }

// perUpdateCodes decodes grpc-status-details-bin into one code per update.
func perUpdateCodes(err error) ([]codes.Code, error) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unknown {
		return nil, fmt.Errorf("want a batch error with code UNKNOWN, got %v", err)
	}
	var out []codes.Code
	for _, d := range st.Details() {
		pe, ok := d.(*p4v1.Error)
		if !ok {
			return nil, fmt.Errorf("detail is %T, not p4.v1.Error", d)
		}
		out = append(out, codes.Code(pe.CanonicalCode))
	}
	return out, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9559", "P4Runtime server address")
	device := flag.Uint64("device-id", 1, "device id")
	p4infoPath := flag.String("p4info", "p4/zone_switch.p4info.txtpb", "P4Info in text format")
	deviceConfigPath := flag.String("device-config", "p4/zone_switch.json", "the program's BMv2 JSON (p4_device_config)")
	flag.Parse()

	deviceConfig, err := os.ReadFile(*deviceConfigPath)
	if err != nil {
		fmt.Println("FAIL read-device-config:", err)
		os.Exit(2)
	}

	text, err := os.ReadFile(*p4infoPath)
	if err != nil {
		fmt.Println("FAIL read-p4info:", err)
		os.Exit(2)
	}
	info := &p4configv1.P4Info{}
	if err := prototext.Unmarshal(text, info); err != nil {
		fmt.Println("FAIL parse-p4info:", err)
		os.Exit(2)
	}
	x := index(info)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithBlock())
	if err != nil {
		fmt.Println("FAIL connect:", err)
		os.Exit(2)
	}
	defer conn.Close()
	c := p4v1.NewP4RuntimeClient(conn)

	caps, err := c.Capabilities(ctx, &p4v1.CapabilitiesRequest{})
	check("capabilities", func() error {
		if err != nil {
			return err
		}
		if caps.P4RuntimeApiVersion == "" {
			return fmt.Errorf("empty p4runtime_api_version")
		}
		return nil
	}())

	primaryID := &p4v1.Uint128{High: 1, Low: 7}
	_, m, err := openStream(ctx, c, *device, primaryID)
	check("arbitration-primary-ok", func() error {
		if err != nil {
			return err
		}
		if codes.Code(m.GetStatus().GetCode()) != codes.OK {
			return fmt.Errorf("status %v", m.GetStatus())
		}
		if m.GetElectionId().GetHigh() != 1 || m.GetElectionId().GetLow() != 7 {
			return fmt.Errorf("election_id %v", m.GetElectionId())
		}
		return nil
	}())

	_, m, err = openStream(ctx, c, *device, &p4v1.Uint128{High: 0, Low: 9})
	check("arbitration-backup-already-exists", func() error {
		if err != nil {
			return err
		}
		if codes.Code(m.GetStatus().GetCode()) != codes.AlreadyExists {
			return fmt.Errorf("status %v", m.GetStatus())
		}
		return nil
	}())

	_, _, err = openStream(ctx, c, *device, primaryID)
	check("arbitration-duplicate-election-id-invalid-argument", expectCode(err, codes.InvalidArgument))

	_, _, err = openStream(ctx, c, *device+100, &p4v1.Uint128{Low: 1})
	check("arbitration-unknown-device-not-found", expectCode(err, codes.NotFound))

	_, err = c.Write(ctx, &p4v1.WriteRequest{DeviceId: *device, ElectionId: primaryID, Updates: []*p4v1.Update{update(p4v1.Update_INSERT, markEntry(x, []byte{0x03, 0xe8}, []byte{56}))}})
	check("write-before-pipeline-failed-precondition", expectCode(err, codes.FailedPrecondition))

	_, err = c.SetForwardingPipelineConfig(ctx, &p4v1.SetForwardingPipelineConfigRequest{
		DeviceId: *device, ElectionId: &p4v1.Uint128{Low: 9}, Action: p4v1.SetForwardingPipelineConfigRequest_VERIFY_AND_COMMIT,
		Config: &p4v1.ForwardingPipelineConfig{P4Info: info},
	})
	check("set-pipeline-backup-permission-denied", expectCode(err, codes.PermissionDenied))

	_, err = c.SetForwardingPipelineConfig(ctx, &p4v1.SetForwardingPipelineConfigRequest{
		DeviceId: *device, ElectionId: primaryID, Action: p4v1.SetForwardingPipelineConfigRequest_VERIFY_AND_COMMIT,
		Config: &p4v1.ForwardingPipelineConfig{P4Info: info, P4DeviceConfig: deviceConfig, Cookie: &p4v1.ForwardingPipelineConfig_Cookie{Cookie: 0xfedcba9876543210}},
	})
	check("set-pipeline-verify-and-commit", err)

	got, err := c.GetForwardingPipelineConfig(ctx, &p4v1.GetForwardingPipelineConfigRequest{DeviceId: *device, ResponseType: p4v1.GetForwardingPipelineConfigRequest_COOKIE_ONLY})
	check("get-pipeline-cookie-only", func() error {
		if err != nil {
			return err
		}
		if got.GetConfig().GetCookie().GetCookie() != 0xfedcba9876543210 {
			return fmt.Errorf("cookie %v", got.GetConfig().GetCookie())
		}
		if got.GetConfig().GetP4Info() != nil {
			return fmt.Errorf("COOKIE_ONLY returned a P4Info")
		}
		return nil
	}())

	got, err = c.GetForwardingPipelineConfig(ctx, &p4v1.GetForwardingPipelineConfigRequest{DeviceId: *device, ResponseType: p4v1.GetForwardingPipelineConfigRequest_ALL})
	check("get-pipeline-all-returns-p4info", func() error {
		if err != nil {
			return err
		}
		if len(got.GetConfig().GetP4Info().GetTables()) != len(info.Tables) {
			return fmt.Errorf("p4info has %d tables, want %d", len(got.GetConfig().GetP4Info().GetTables()), len(info.Tables))
		}
		if !bytes.Equal(got.GetConfig().GetP4DeviceConfig(), deviceConfig) {
			return fmt.Errorf("device config of %d bytes, want %d", len(got.GetConfig().GetP4DeviceConfig()), len(deviceConfig))
		}
		return nil
	}())

	// Padded input (3-byte VLAN, 2-byte DSCP) must be accepted.
	_, err = c.Write(ctx, &p4v1.WriteRequest{DeviceId: *device, ElectionId: primaryID, Updates: []*p4v1.Update{
		update(p4v1.Update_INSERT, markEntry(x, []byte{0x00, 0x03, 0xe8}, []byte{0x00, 56})),
		update(p4v1.Update_INSERT, aclEntry(x, []byte{0x03, 0xe8}, bytes.Repeat([]byte{0}, 16), append([]byte{0xff, 0xff}, make([]byte, 14)...), 100)),
	}})
	check("write-padded-bytestrings-accepted", err)

	_, err = c.Write(ctx, &p4v1.WriteRequest{DeviceId: *device, ElectionId: &p4v1.Uint128{Low: 9}, Updates: []*p4v1.Update{update(p4v1.Update_INSERT, markEntry(x, []byte{0x03, 0xe9}, []byte{8}))}})
	check("write-backup-permission-denied", expectCode(err, codes.PermissionDenied))

	_, err = c.Write(ctx, &p4v1.WriteRequest{DeviceId: *device, ElectionId: primaryID, Updates: []*p4v1.Update{
		update(p4v1.Update_INSERT, markEntry(x, []byte{0x03, 0xe9}, []byte{8})),  // OK
		update(p4v1.Update_INSERT, markEntry(x, []byte{0x03, 0xe8}, []byte{1})),  // ALREADY_EXISTS
		update(p4v1.Update_DELETE, markEntry(x, []byte{0x03, 0xea}, []byte{1})),  // NOT_FOUND
		update(p4v1.Update_INSERT, markEntry(x, []byte{0x10, 0x00}, []byte{1})),  // 13 bits: OUT_OF_RANGE
		update(p4v1.Update_INSERT, markEntry(x, []byte{0x03, 0xeb}, []byte{64})), // dscp is 6 bits: OUT_OF_RANGE
		update(p4v1.Update_INSERT, aclEntry(x, []byte{0x03, 0xe8}, []byte{0xff}, []byte{0x0f}, 10)), // value outside mask: INVALID_ARGUMENT
		update(p4v1.Update_INSERT, aclEntry(x, []byte{0x03, 0xe8}, []byte{0x01}, []byte{0x01}, 0)),  // no priority: INVALID_ARGUMENT
	}})
	check("write-per-update-errors-in-status-details", func() error {
		got, derr := perUpdateCodes(err)
		if derr != nil {
			return derr
		}
		want := []codes.Code{codes.OK, codes.AlreadyExists, codes.NotFound, codes.OutOfRange, codes.OutOfRange, codes.InvalidArgument, codes.InvalidArgument}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("codes %v, want %v", got, want)
		}
		return nil
	}())

	read := func(e *p4v1.Entity) ([]*p4v1.Entity, error) {
		rs, err := c.Read(ctx, &p4v1.ReadRequest{DeviceId: *device, Entities: []*p4v1.Entity{e}})
		if err != nil {
			return nil, err
		}
		var out []*p4v1.Entity
		for {
			r, err := rs.Recv()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return out, nil
				}
				return out, err
			}
			out = append(out, r.Entities...)
		}
	}

	all, err := read(&p4v1.Entity{Entity: &p4v1.Entity_TableEntry{TableEntry: &p4v1.TableEntry{}}})
	check("read-wildcard-all-tables", func() error {
		if err != nil {
			return err
		}
		if len(all) != 3 {
			return fmt.Errorf("%d entities, want 3", len(all))
		}
		return nil
	}())

	marks, err := read(&p4v1.Entity{Entity: &p4v1.Entity_TableEntry{TableEntry: &p4v1.TableEntry{TableId: x.tables["ZoneIngress.zone_mark"]}}})
	check("read-one-table-canonical-bytestrings", func() error {
		if err != nil {
			return err
		}
		for _, e := range marks {
			te := e.GetTableEntry()
			v := te.GetMatch()[0].GetExact().GetValue()
			p := te.GetAction().GetAction().GetParams()[0].GetValue()
			if bytes.Equal(v, []byte{0x03, 0xe8}) && bytes.Equal(p, []byte{56}) {
				return nil
			}
		}
		return fmt.Errorf("no canonical zone_mark entry for VLAN 1000 among %v", marks)
	}())

	acl, err := read(&p4v1.Entity{Entity: &p4v1.Entity_TableEntry{TableEntry: &p4v1.TableEntry{TableId: x.tables["ZoneIngress.zone_acl"]}}})
	check("read-ternary-canonical-and-priority", func() error {
		if err != nil {
			return err
		}
		if len(acl) != 1 {
			return fmt.Errorf("%d acl entries", len(acl))
		}
		te := acl[0].GetTableEntry()
		t := te.GetMatch()[1].GetTernary()
		if !bytes.Equal(t.GetValue(), []byte{0}) || !bytes.Equal(t.GetMask(), append([]byte{0xff, 0xff}, make([]byte, 14)...)) || te.GetPriority() != 100 {
			return fmt.Errorf("got value %x mask %x priority %d", t.GetValue(), t.GetMask(), te.GetPriority())
		}
		return nil
	}())

	def, err := read(&p4v1.Entity{Entity: &p4v1.Entity_TableEntry{TableEntry: &p4v1.TableEntry{TableId: x.tables["ZoneIngress.mac_forward"], IsDefaultAction: true}}})
	check("read-default-entry", func() error {
		if err != nil {
			return err
		}
		if len(def) != 1 || def[0].GetTableEntry().GetAction().GetAction().GetActionId() != x.actions["ZoneIngress.to_trunk"] {
			return fmt.Errorf("default entry %v", def)
		}
		return nil
	}())

	_, err = read(&p4v1.Entity{})
	check("read-empty-entity-rejected", func() error {
		if err == nil {
			return fmt.Errorf("accepted")
		}
		return nil
	}())

	if failed > 0 {
		fmt.Printf("%d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("all checks passed")
}
