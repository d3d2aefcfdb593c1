// Pieces shared by the certificate resources (pxc_ca, pxc_node_cert): key
// algorithm attributes, subject attributes, validity and renewal window
// attributes, and the computed certificate attributes, with their model
// conversion.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "resources/pki/x509.h"
#include "schema/resource.h"
#include "schema/schema.h"

namespace pxc::resources::cert_common {

// key_algorithm, rsa_bits, ecdsa_curve (all RequiresReplace, with defaults).
void AddKeyAttributes(std::vector<schema::Attribute>& attrs);
// common_name (default given), organization, organizational_unit, country,
// locality, province.
void AddSubjectAttributes(std::vector<schema::Attribute>& attrs, const std::string& default_cn);
// Only organization, organizational_unit, country, locality, province.
void AddOptionalSubjectAttributes(std::vector<schema::Attribute>& attrs);
// validity_period_hours (default given, RequiresReplace), early_renewal_hours.
void AddValidityAttributes(std::vector<schema::Attribute>& attrs, int64_t default_hours);
// id, cert_pem, serial_number, validity_start_time, validity_end_time,
// cert_sha256_fingerprint, ready_for_renewal.
void AddCertificateOutputs(std::vector<schema::Attribute>& attrs);

// The model's parts these attributes make. `block` is the resource's schema
// block: an attribute left null reads as its schema default
// (schema/model.h).
// The key spec of a config/plan value (nullopt when unknown or invalid).
std::optional<KeySpec> KeySpecFrom(const schema::Value& v, const schema::Block& block);
DistinguishedName SubjectFrom(const schema::Value& v, const schema::Block& block);
// Validates key attributes that are known, as the plan will use them
// (defaults included); adds diagnostics with paths.
void ValidateKeyAttributes(const schema::Value& config, const schema::Block& block,
                           schema::Diagnostics& diags);
// early_renewal_hours < validity_period_hours, defaults included.
void ValidateValidity(const schema::Value& config, const schema::Block& block,
                      schema::Diagnostics& diags);

// Sets the computed certificate outputs of `obj` from `cert`.
schema::Value WithCertificateOutputs(schema::Value obj, const Certificate& cert,
                                     int64_t early_renewal_hours);
// True when now is within early_renewal_hours of the certificate's end.
bool InRenewalWindow(const Certificate& cert, int64_t early_renewal_hours,
                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// In ModifyPlan on an update: when the stored certificate is inside its
// renewal window (or expired), plan ready_for_renewal = true and replace.
void PlanRenewal(schema::PlanContext& ctx, const std::string& cert_attr);

}  // namespace pxc::resources::cert_common
