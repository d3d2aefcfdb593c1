// terraform-provider-gonoop: the bench's reference point for what Terraform
// itself costs with a Go provider. A minimal provider on HashiCorp's
// go-plugin (AutoMTLS, GRPCController, health, as every Go provider gets it)
// serving tfplugin6 generated from pxc's own provider/proto/tfplugin6.proto,
// with one resource type whose operations do no work:
//
//	resource "gonoop_item" "x" { input = "..." }   # id, output computed
//
// Plan marks id and output unknown on create; apply sets id to the address-
// free "noop" and output to input. Built by bench/run from Debian's Go
// packages only (GOPATH=/usr/share/gocode, GO111MODULE=off, GOPROXY=off); see
// bench/README.md.
package main

import (
	"context"
	"errors"
	"net/rpc"

	"github.com/hashicorp/go-plugin"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
	"google.golang.org/grpc"

	tfplugin6 "github.com/pxc/terraform-provider-pxc/tfplugin6"
)

const typeName = "gonoop_item"

var itemType = cty.Object(map[string]cty.Type{
	"id": cty.String, "input": cty.String, "output": cty.String,
})

func itemSchema() *tfplugin6.Schema {
	str := []byte(`"string"`)
	return &tfplugin6.Schema{Block: &tfplugin6.Schema_Block{Attributes: []*tfplugin6.Schema_Attribute{
		{Name: "id", Type: str, Computed: true},
		{Name: "input", Type: str, Optional: true},
		{Name: "output", Type: str, Computed: true},
	}}}
}

type server struct {
	tfplugin6.UnimplementedProviderServer
}

func decode(v *tfplugin6.DynamicValue) (cty.Value, error) {
	if v == nil || len(v.Msgpack) == 0 {
		return cty.NullVal(itemType), nil
	}
	return ctymsgpack.Unmarshal(v.Msgpack, itemType)
}

func encode(v cty.Value) (*tfplugin6.DynamicValue, error) {
	b, err := ctymsgpack.Marshal(v, itemType)
	if err != nil {
		return nil, err
	}
	return &tfplugin6.DynamicValue{Msgpack: b}, nil
}

func errDiag(err error) []*tfplugin6.Diagnostic {
	return []*tfplugin6.Diagnostic{{Severity: tfplugin6.Diagnostic_ERROR, Summary: err.Error()}}
}

func (s *server) GetMetadata(context.Context, *tfplugin6.GetMetadata_Request) (*tfplugin6.GetMetadata_Response, error) {
	return &tfplugin6.GetMetadata_Response{
		Resources: []*tfplugin6.GetMetadata_ResourceMetadata{{TypeName: typeName}},
	}, nil
}

func (s *server) GetProviderSchema(context.Context, *tfplugin6.GetProviderSchema_Request) (*tfplugin6.GetProviderSchema_Response, error) {
	return &tfplugin6.GetProviderSchema_Response{
		Provider:        &tfplugin6.Schema{Block: &tfplugin6.Schema_Block{}},
		ResourceSchemas: map[string]*tfplugin6.Schema{typeName: itemSchema()},
	}, nil
}

func (s *server) ValidateProviderConfig(context.Context, *tfplugin6.ValidateProviderConfig_Request) (*tfplugin6.ValidateProviderConfig_Response, error) {
	return &tfplugin6.ValidateProviderConfig_Response{}, nil
}

func (s *server) ValidateResourceConfig(context.Context, *tfplugin6.ValidateResourceConfig_Request) (*tfplugin6.ValidateResourceConfig_Response, error) {
	return &tfplugin6.ValidateResourceConfig_Response{}, nil
}

func (s *server) ConfigureProvider(context.Context, *tfplugin6.ConfigureProvider_Request) (*tfplugin6.ConfigureProvider_Response, error) {
	return &tfplugin6.ConfigureProvider_Response{}, nil
}

func (s *server) StopProvider(context.Context, *tfplugin6.StopProvider_Request) (*tfplugin6.StopProvider_Response, error) {
	return &tfplugin6.StopProvider_Response{}, nil
}

func (s *server) UpgradeResourceState(_ context.Context, req *tfplugin6.UpgradeResourceState_Request) (*tfplugin6.UpgradeResourceState_Response, error) {
	var js []byte
	if req.RawState != nil {
		js = req.RawState.Json
	}
	return &tfplugin6.UpgradeResourceState_Response{UpgradedState: &tfplugin6.DynamicValue{Json: js}}, nil
}

func (s *server) ReadResource(_ context.Context, req *tfplugin6.ReadResource_Request) (*tfplugin6.ReadResource_Response, error) {
	return &tfplugin6.ReadResource_Response{NewState: req.CurrentState, Private: req.Private}, nil
}

func (s *server) PlanResourceChange(_ context.Context, req *tfplugin6.PlanResourceChange_Request) (*tfplugin6.PlanResourceChange_Response, error) {
	prior, err := decode(req.PriorState)
	if err != nil {
		return &tfplugin6.PlanResourceChange_Response{Diagnostics: errDiag(err)}, nil
	}
	proposed, err := decode(req.ProposedNewState)
	if err != nil {
		return &tfplugin6.PlanResourceChange_Response{Diagnostics: errDiag(err)}, nil
	}
	planned := proposed
	if !proposed.IsNull() {
		m := proposed.AsValueMap()
		if prior.IsNull() {
			m["id"] = cty.UnknownVal(cty.String)
			m["output"] = cty.UnknownVal(cty.String)
		} else if !prior.GetAttr("input").RawEquals(proposed.GetAttr("input")) {
			m["output"] = cty.UnknownVal(cty.String)
		}
		planned = cty.ObjectVal(m)
	}
	out, err := encode(planned)
	if err != nil {
		return &tfplugin6.PlanResourceChange_Response{Diagnostics: errDiag(err)}, nil
	}
	return &tfplugin6.PlanResourceChange_Response{PlannedState: out}, nil
}

func (s *server) ApplyResourceChange(_ context.Context, req *tfplugin6.ApplyResourceChange_Request) (*tfplugin6.ApplyResourceChange_Response, error) {
	planned, err := decode(req.PlannedState)
	if err != nil {
		return &tfplugin6.ApplyResourceChange_Response{Diagnostics: errDiag(err)}, nil
	}
	result := planned
	if !planned.IsNull() {
		m := planned.AsValueMap()
		if !m["id"].IsKnown() {
			m["id"] = cty.StringVal("noop")
		}
		if !m["output"].IsKnown() {
			m["output"] = m["input"]
			if m["output"].IsNull() {
				m["output"] = cty.StringVal("")
			}
		}
		result = cty.ObjectVal(m)
	}
	out, err := encode(result)
	if err != nil {
		return &tfplugin6.ApplyResourceChange_Response{Diagnostics: errDiag(err)}, nil
	}
	return &tfplugin6.ApplyResourceChange_Response{NewState: out}, nil
}

// providerPlugin registers the tfplugin6 service with go-plugin's gRPC server.
type providerPlugin struct{}

func (providerPlugin) Server(*plugin.MuxBroker) (interface{}, error) {
	return nil, errors.New("net/rpc is not supported")
}
func (providerPlugin) Client(*plugin.MuxBroker, *rpc.Client) (interface{}, error) {
	return nil, errors.New("net/rpc is not supported")
}
func (providerPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	tfplugin6.RegisterProviderServer(s, &server{})
	return nil
}
func (providerPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (interface{}, error) {
	return nil, errors.New("client side not implemented")
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  6,
			MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
			MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		},
		VersionedPlugins: map[int]plugin.PluginSet{6: {"provider": providerPlugin{}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}
