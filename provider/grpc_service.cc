#include "provider/grpc_service.h"

#include <chrono>

#include "provider/convert.h"
#include "provider/log.h"

namespace pxc::provider {

namespace {

using schema::Diagnostics;

// Runs `body`, turning any exception into an "Internal Provider Error"
// diagnostic in `out_diags`, and logs the RPC with its duration.
template <typename Repeated, typename Fn>
grpc::Status Guard(const char* rpc, const std::string& type, Repeated* out_diags, Fn&& body) {
  auto start = std::chrono::steady_clock::now();
  Log(LogLevel::kTrace, std::string("Received request"),
      {{"tf_rpc", rpc}, {"tf_resource_type", type}});
  Diagnostics diags;
  try {
    body(diags);
  } catch (const std::exception& e) {
    diags.AddError("Internal Provider Error",
                   std::string("The pxc provider failed unexpectedly in ") + rpc + ": " +
                       Redact(e.what()) +
                       ". This is a bug in the provider; please report it. No further changes "
                       "were made by this operation.");
  } catch (...) {
    diags.AddError("Internal Provider Error",
                   std::string("The pxc provider failed unexpectedly in ") + rpc +
                       ". This is a bug in the provider; please report it.");
  }
  AddDiagnostics(diags, out_diags);
  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count() /
            1000.0;
  Log(LogLevel::kTrace, "Served request",
      {{"tf_rpc", rpc},
       {"tf_resource_type", type},
       {"tf_req_duration_ms", std::to_string(ms)},
       {"diagnostic_error_count", std::to_string(diags.HasError() ? 1 : 0)}});
  for (const auto& d : diags.items()) {
    Log(d.severity == schema::Severity::kError ? LogLevel::kDebug : LogLevel::kDebug,
        "Response contains diagnostic",
        {{"tf_rpc", rpc},
         {"diagnostic_summary", d.summary},
         {"diagnostic_attribute", d.path ? d.path->ToString() : ""}});
  }
  return grpc::Status::OK;
}

// Decodes a DynamicValue or adds a diagnostic and returns nullopt.
std::optional<schema::Value> Decode(const tfplugin6::DynamicValue& dv, const schema::Type& type,
                                    const std::string& what, Diagnostics& diags) {
  auto v = DecodeDynamicValue(dv, type, what);
  if (!v.ok()) {
    diags.AddError("Invalid Value From Terraform",
                   "The provider could not decode the " + what +
                       " sent by Terraform: " + v.status().message() +
                       ". This usually means Terraform and the provider disagree on the schema; "
                       "run terraform init -upgrade.");
    return std::nullopt;
  }
  return *std::move(v);
}

bool Encode(const schema::Value& v, const schema::Type& type, tfplugin6::DynamicValue* out,
            Diagnostics& diags) {
  Status st = EncodeDynamicValue(v, type, out);
  if (!st.ok()) {
    diags.AddError("Internal Provider Error",
                   "The provider could not encode its answer: " + st.message() +
                       ". This is a bug in the provider; please report it.");
    return false;
  }
  return true;
}

void SetTimestamp(std::chrono::system_clock::time_point t, google::protobuf::Timestamp* out) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  out->set_seconds(ns / 1000000000);
  out->set_nanos(static_cast<int32_t>(ns % 1000000000));
}

void FillCapabilities(tfplugin6::ServerCapabilities* caps) {
  caps->set_plan_destroy(true);
  caps->set_get_provider_schema_optional(false);
  caps->set_move_resource_state(false);
}

}  // namespace

grpc::Status ProviderService::GetMetadata(grpc::ServerContext*,
                                          const tfplugin6::GetMetadataRpc::Request*,
                                          tfplugin6::GetMetadataRpc::Response* resp) {
  return Guard("GetMetadata", "", resp->mutable_diagnostics(), [&](Diagnostics& diags) {
    diags.Append(core_->schema_diags());
    FillCapabilities(resp->mutable_server_capabilities());
    for (const auto& r : core_->definition().Resources()) {
      resp->add_resources()->set_type_name(r->TypeName());
    }
    for (const auto& d : core_->definition().DataSources()) {
      resp->add_data_sources()->set_type_name(d->TypeName());
    }
    for (const auto& e : core_->definition().EphemeralResources()) {
      resp->add_ephemeral_resources()->set_type_name(e->TypeName());
    }
  });
}

grpc::Status ProviderService::GetProviderSchema(grpc::ServerContext*,
                                                const tfplugin6::GetProviderSchema::Request*,
                                                tfplugin6::GetProviderSchema::Response* resp) {
  return Guard("GetProviderSchema", "", resp->mutable_diagnostics(), [&](Diagnostics& diags) {
    diags.Append(core_->schema_diags());
    FillCapabilities(resp->mutable_server_capabilities());
    ToProto(core_->definition().GetSchema(), resp->mutable_provider());
    for (const auto& r : core_->definition().Resources()) {
      ToProto(r->GetSchema(), &(*resp->mutable_resource_schemas())[r->TypeName()]);
    }
    for (const auto& d : core_->definition().DataSources()) {
      ToProto(d->GetSchema(), &(*resp->mutable_data_source_schemas())[d->TypeName()]);
    }
    for (const auto& e : core_->definition().EphemeralResources()) {
      ToProto(e->GetSchema(), &(*resp->mutable_ephemeral_resource_schemas())[e->TypeName()]);
    }
  });
}

grpc::Status ProviderService::ValidateProviderConfig(
    grpc::ServerContext*, const tfplugin6::ValidateProviderConfig::Request* req,
    tfplugin6::ValidateProviderConfig::Response* resp) {
  return Guard("ValidateProviderConfig", "", resp->mutable_diagnostics(), [&](Diagnostics& diags) {
    auto t = core_->definition().GetSchema().ImpliedType();
    auto config = Decode(req->config(), t, "provider configuration", diags);
    if (config) diags.Append(core_->ValidateProviderConfig(*config));
  });
}

grpc::Status ProviderService::ValidateResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateResourceConfig::Request* req,
    tfplugin6::ValidateResourceConfig::Response* resp) {
  return Guard("ValidateResourceConfig", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* r = core_->FindResource(req->type_name());
                 if (!r) return diags.Append(Core::UnknownType("Resource", req->type_name()));
                 auto config =
                     Decode(req->config(), r->GetSchema().ImpliedType(), "configuration", diags);
                 ClientCapabilities client;
                 client.write_only_attributes_allowed =
                     req->client_capabilities().write_only_attributes_allowed();
                 if (config) {
                   diags.Append(core_->ValidateResourceConfig(req->type_name(), *config, client));
                 }
               });
}

grpc::Status ProviderService::ValidateDataResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateDataResourceConfig::Request* req,
    tfplugin6::ValidateDataResourceConfig::Response* resp) {
  return Guard("ValidateDataResourceConfig", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* d = core_->FindDataSource(req->type_name());
                 if (!d) return diags.Append(Core::UnknownType("Data Source", req->type_name()));
                 auto config =
                     Decode(req->config(), d->GetSchema().ImpliedType(), "configuration", diags);
                 if (config) {
                   diags.Append(core_->ValidateDataResourceConfig(req->type_name(), *config));
                 }
               });
}

grpc::Status ProviderService::UpgradeResourceState(
    grpc::ServerContext*, const tfplugin6::UpgradeResourceState::Request* req,
    tfplugin6::UpgradeResourceState::Response* resp) {
  return Guard(
      "UpgradeResourceState", req->type_name(), resp->mutable_diagnostics(),
      [&](Diagnostics& diags) {
        const auto* r = core_->FindResource(req->type_name());
        if (!r) return diags.Append(Core::UnknownType("Resource", req->type_name()));
        if (req->raw_state().json().empty()) {
          if (!req->raw_state().flatmap().empty()) {
            diags.AddError("Unsupported State Format",
                           "The stored state of this " + req->type_name() +
                               " is in the legacy flatmap format, which the pxc provider "
                               "never wrote. Remove the resource from state "
                               "(terraform state rm) and import it again.");
            return;
          }
          // Nothing stored: nothing to upgrade.
          Encode(schema::Value::Null(r->GetSchema().ImpliedType()), r->GetSchema().ImpliedType(),
                 resp->mutable_upgraded_state(), diags);
          return;
        }
        auto res =
            core_->UpgradeResourceState(req->type_name(), req->version(), req->raw_state().json());
        diags.Append(res.diags);
        if (res.diags.HasError()) return;
        Encode(res.upgraded, r->GetSchema().ImpliedType(), resp->mutable_upgraded_state(), diags);
      });
}

grpc::Status ProviderService::ConfigureProvider(grpc::ServerContext*,
                                                const tfplugin6::ConfigureProvider::Request* req,
                                                tfplugin6::ConfigureProvider::Response* resp) {
  return Guard("ConfigureProvider", "", resp->mutable_diagnostics(), [&](Diagnostics& diags) {
    auto t = core_->definition().GetSchema().ImpliedType();
    auto config = Decode(req->config(), t, "provider configuration", diags);
    if (config) diags.Append(core_->ConfigureProvider(req->terraform_version(), *config));
  });
}

grpc::Status ProviderService::ReadResource(grpc::ServerContext*,
                                           const tfplugin6::ReadResource::Request* req,
                                           tfplugin6::ReadResource::Response* resp) {
  return Guard("ReadResource", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* r = core_->FindResource(req->type_name());
                 if (!r) return diags.Append(Core::UnknownType("Resource", req->type_name()));
                 auto t = r->GetSchema().ImpliedType();
                 auto current = Decode(req->current_state(), t, "current state", diags);
                 if (!current) return;
                 auto res = core_->ReadResource(req->type_name(), *current, req->private_());
                 diags.Append(res.diags);
                 if (Encode(res.new_state, t, resp->mutable_new_state(), diags)) {
                   resp->set_private_(res.private_data);
                 }
               });
}

grpc::Status ProviderService::PlanResourceChange(grpc::ServerContext*,
                                                 const tfplugin6::PlanResourceChange::Request* req,
                                                 tfplugin6::PlanResourceChange::Response* resp) {
  return Guard("PlanResourceChange", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* r = core_->FindResource(req->type_name());
                 if (!r) return diags.Append(Core::UnknownType("Resource", req->type_name()));
                 auto t = r->GetSchema().ImpliedType();
                 auto prior = Decode(req->prior_state(), t, "prior state", diags);
                 auto proposed = Decode(req->proposed_new_state(), t, "proposed new state", diags);
                 auto config = Decode(req->config(), t, "configuration", diags);
                 if (!prior || !proposed || !config) return;
                 auto res = core_->PlanResourceChange(req->type_name(), *prior, *proposed, *config,
                                                      req->prior_private());
                 diags.Append(res.diags);
                 if (res.diags.HasError()) return;
                 if (!Encode(res.planned, t, resp->mutable_planned_state(), diags)) return;
                 for (const auto& p : res.requires_replace)
                   ToProto(p, resp->add_requires_replace());
                 resp->set_planned_private(res.planned_private);
               });
}

grpc::Status ProviderService::ApplyResourceChange(
    grpc::ServerContext*, const tfplugin6::ApplyResourceChange::Request* req,
    tfplugin6::ApplyResourceChange::Response* resp) {
  return Guard("ApplyResourceChange", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* r = core_->FindResource(req->type_name());
                 if (!r) return diags.Append(Core::UnknownType("Resource", req->type_name()));
                 auto t = r->GetSchema().ImpliedType();
                 auto prior = Decode(req->prior_state(), t, "prior state", diags);
                 auto planned = Decode(req->planned_state(), t, "planned state", diags);
                 auto config = Decode(req->config(), t, "configuration", diags);
                 if (!prior || !planned || !config) return;
                 auto res = core_->ApplyResourceChange(req->type_name(), *prior, *planned, *config,
                                                       req->planned_private());
                 diags.Append(res.diags);
                 if (Encode(res.new_state, t, resp->mutable_new_state(), diags)) {
                   resp->set_private_(res.private_data);
                 }
               });
}

grpc::Status ProviderService::ImportResourceState(
    grpc::ServerContext*, const tfplugin6::ImportResourceState::Request* req,
    tfplugin6::ImportResourceState::Response* resp) {
  return Guard("ImportResourceState", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* r = core_->FindResource(req->type_name());
                 if (!r) return diags.Append(Core::UnknownType("Resource", req->type_name()));
                 auto res = core_->ImportResourceState(req->type_name(), req->id());
                 diags.Append(res.diags);
                 if (res.diags.HasError()) return;
                 for (const auto& obj : res.objects) {
                   auto* out = resp->add_imported_resources();
                   out->set_type_name(obj.type_name);
                   out->set_private_(obj.private_data);
                   Encode(obj.state, r->GetSchema().ImpliedType(), out->mutable_state(), diags);
                 }
               });
}

grpc::Status ProviderService::MoveResourceState(grpc::ServerContext*,
                                                const tfplugin6::MoveResourceState::Request* req,
                                                tfplugin6::MoveResourceState::Response* resp) {
  return Guard("MoveResourceState", req->target_type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 diags.AddError("Move Resource State Not Supported",
                                "The pxc provider does not support moving state from " +
                                    req->source_type_name() + " to " + req->target_type_name() +
                                    ". Remove the old resource from state and import the new one.");
               });
}

grpc::Status ProviderService::ReadDataSource(grpc::ServerContext*,
                                             const tfplugin6::ReadDataSource::Request* req,
                                             tfplugin6::ReadDataSource::Response* resp) {
  return Guard("ReadDataSource", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* d = core_->FindDataSource(req->type_name());
                 if (!d) return diags.Append(Core::UnknownType("Data Source", req->type_name()));
                 auto t = d->GetSchema().ImpliedType();
                 auto config = Decode(req->config(), t, "configuration", diags);
                 if (!config) return;
                 auto res = core_->ReadDataSource(req->type_name(), *config);
                 diags.Append(res.diags);
                 if (res.diags.HasError()) return;
                 Encode(res.new_state, t, resp->mutable_state(), diags);
               });
}

grpc::Status ProviderService::GetFunctions(grpc::ServerContext*,
                                           const tfplugin6::GetFunctions::Request*,
                                           tfplugin6::GetFunctions::Response* resp) {
  // pxc offers no provider-defined functions: an empty map is the honest answer.
  return Guard("GetFunctions", "", resp->mutable_diagnostics(), [](Diagnostics&) {});
}

grpc::Status ProviderService::CallFunction(grpc::ServerContext*,
                                           const tfplugin6::CallFunction::Request* req,
                                           tfplugin6::CallFunction::Response* resp) {
  resp->mutable_error()->set_text("The pxc provider has no function named \"" + req->name() +
                                  "\".");
  return grpc::Status::OK;
}

grpc::Status ProviderService::GetResourceIdentitySchemas(
    grpc::ServerContext*, const tfplugin6::GetResourceIdentitySchemas::Request*,
    tfplugin6::GetResourceIdentitySchemas::Response* resp) {
  // No resource type has an identity: an empty map, which Terraform >= 1.12
  // reads exactly like a provider that predates resource identity.
  return Guard("GetResourceIdentitySchemas", "", resp->mutable_diagnostics(), [](Diagnostics&) {});
}

grpc::Status ProviderService::UpgradeResourceIdentity(
    grpc::ServerContext*, const tfplugin6::UpgradeResourceIdentity::Request* req,
    tfplugin6::UpgradeResourceIdentity::Response* resp) {
  // Terraform calls this only for types with an identity schema, so only a
  // confused client gets here.
  return Guard("UpgradeResourceIdentity", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 diags.AddError("Resource Identity Not Supported",
                                "The pxc provider declares no resource identity for " +
                                    req->type_name() +
                                    ", so there is no stored identity to upgrade. Import the "
                                    "resource by its ID instead.");
               });
}

grpc::Status ProviderService::ValidateEphemeralResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateEphemeralResourceConfig::Request* req,
    tfplugin6::ValidateEphemeralResourceConfig::Response* resp) {
  return Guard("ValidateEphemeralResourceConfig", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* e = core_->FindEphemeralResource(req->type_name());
                 if (!e)
                   return diags.Append(Core::UnknownType("Ephemeral Resource", req->type_name()));
                 auto config =
                     Decode(req->config(), e->GetSchema().ImpliedType(), "configuration", diags);
                 if (config)
                   diags.Append(core_->ValidateEphemeralResourceConfig(req->type_name(), *config));
               });
}

grpc::Status ProviderService::OpenEphemeralResource(
    grpc::ServerContext*, const tfplugin6::OpenEphemeralResource::Request* req,
    tfplugin6::OpenEphemeralResource::Response* resp) {
  return Guard("OpenEphemeralResource", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 const auto* e = core_->FindEphemeralResource(req->type_name());
                 if (!e) {
                   return diags.Append(Core::UnknownType("Ephemeral Resource", req->type_name()));
                 }
                 const auto t = e->GetSchema().ImpliedType();
                 auto config = Decode(req->config(), t, "configuration", diags);
                 if (!config) return;
                 auto res = core_->OpenEphemeralResource(req->type_name(), *config);
                 diags.Append(res.diags);
                 if (res.diags.HasError()) return;
                 if (!Encode(res.result, t, resp->mutable_result(), diags)) return;
                 if (res.renew_at) SetTimestamp(*res.renew_at, resp->mutable_renew_at());
                 if (!res.private_data.empty()) resp->set_private_(res.private_data);
               });
}

grpc::Status ProviderService::RenewEphemeralResource(
    grpc::ServerContext*, const tfplugin6::RenewEphemeralResource::Request* req,
    tfplugin6::RenewEphemeralResource::Response* resp) {
  return Guard("RenewEphemeralResource", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 auto res = core_->RenewEphemeralResource(req->type_name(), req->private_());
                 diags.Append(res.diags);
                 if (res.diags.HasError()) return;
                 if (res.renew_at) SetTimestamp(*res.renew_at, resp->mutable_renew_at());
                 if (!res.private_data.empty()) resp->set_private_(res.private_data);
               });
}

grpc::Status ProviderService::CloseEphemeralResource(
    grpc::ServerContext*, const tfplugin6::CloseEphemeralResource::Request* req,
    tfplugin6::CloseEphemeralResource::Response* resp) {
  return Guard("CloseEphemeralResource", req->type_name(), resp->mutable_diagnostics(),
               [&](Diagnostics& diags) {
                 diags.Append(core_->CloseEphemeralResource(req->type_name(), req->private_()));
               });
}

grpc::Status ProviderService::StopProvider(grpc::ServerContext*,
                                           const tfplugin6::StopProvider::Request*,
                                           tfplugin6::StopProvider::Response*) {
  Log(LogLevel::kInfo, "StopProvider received: long operations will stop at the next safe point");
  core_->Stop();
  return grpc::Status::OK;
}

}  // namespace pxc::provider
