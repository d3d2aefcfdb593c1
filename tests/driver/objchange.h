// Terraform core's object-change rules, re-implemented independently of the
// provider for the protocol test driver (after hashicorp/terraform
// internal/plans/objchange and internal/configs/configschema):
//  - ImpliedType / EmptyValue of a schema block;
//  - ProposedNew: the proposed new state core sends to PlanResourceChange;
//  - PlannedDataResourceObject: the planned value of a deferred data read;
//  - AssertPlanValid: what core checks of a planned state
//    ("Provider produced invalid plan"), write-only attributes planned null
//    as Terraform 1.11 requires;
//  - WriteOnlyNotNull: write-only attributes in a returned state;
//  - AssertObjectCompatible: what core checks of an applied state against
//    the plan, and of an apply-time re-plan against the first plan
//    ("Provider produced inconsistent result after apply" / "... final plan").
//
// Nested attribute types (protocol 6 `nested_type`) are treated as plain
// attributes of their object/collection type: pxc declares none.
//
// All functions are pure and thread-safe. Values must conform to the block's
// implied type.
#pragma once

#include <string>
#include <vector>

#include "schema/schema.h"
#include "schema/value.h"

namespace pxc::tfdriver {

// The object type values of `block` have.
schema::Type ImpliedType(const schema::Block& block);
// An object of `block` with every attribute null, single blocks null, group
// blocks empty objects and collection blocks empty collections.
schema::Value EmptyValue(const schema::Block& block);

// objchange.ProposedNew: configured values from `config`, prior values for
// computed attributes the configuration leaves null, nested blocks
// correlated by index (list), key (map) or non-computed content (set).
// `prior` may be null (create); `config` may contain unknowns.
schema::Value ProposedNew(const schema::Block& block, const schema::Value& prior,
                          const schema::Value& config);

// objchange.PlannedDataResourceObject: what core plans for a data source
// whose read is deferred to apply (its configuration has unknowns): the
// configuration with every computed attribute it leaves null unknown.
schema::Value PlannedDataResourceObject(const schema::Block& block, const schema::Value& config);

// One problem found by the checks below, at `path` inside the object.
struct PathError {
  schema::AttributePath path;
  std::string message;
  // Terraform's rendering, prefixed with the resource address:
  // "pxc_ca.main.rsa_bits: planned value ... does not match config value ...".
  std::string Format(const std::string& address) const;
};

// objchange.AssertPlanValid: a non-null configured attribute must be planned
// exactly (or as its prior value), an unset non-computed attribute must be
// planned null, computed attributes may be anything, block counts must match
// the configuration and block elements must not be unknown themselves.
// Sensitive attributes are reported without their values.
std::vector<PathError> AssertPlanValid(const schema::Block& block, const schema::Value& prior,
                                       const schema::Value& config, const schema::Value& planned);

// objchange.AssertObjectCompatible: every known value in `planned` must be
// identical in `actual` (sets: wholly equal when the planned set is wholly
// known), nothing known may become unknown, null stays null and non-null
// stays non-null.
std::vector<PathError> AssertObjectCompatible(const schema::Block& block,
                                              const schema::Value& planned,
                                              const schema::Value& actual);

// ephemeral.ValidateWriteOnlyAttributes (Terraform >= 1.11): every
// write-only attribute (also in nested blocks) that is not null in `v`, a
// state or plan a provider returned.
std::vector<PathError> WriteOnlyNotNull(const schema::Block& block, const schema::Value& v);

// cty's Equals as core uses it to choose an action: true only when both
// values are wholly known (or null) and identical.
bool KnownEqual(const schema::Value& a, const schema::Value& b);

// A short rendering of a value for messages (long strings are cut).
std::string ShortValue(const schema::Value& v);

}  // namespace pxc::tfdriver
