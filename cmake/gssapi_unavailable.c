/* GSS-API without any mechanism, for the static (PXC_STATIC) build only.
 *
 * Debian's libssh.a is built with GSSAPI (gssapi-with-mic user
 * authentication) and refers to 20 functions of MIT Kerberos' libgssapi_krb5,
 * of which Debian ships no static archive. pxc never uses GSSAPI: it
 * authenticates with a private key, the agent, a password or
 * keyboard-interactive (resources/ssh_client.cc), and libssh calls GSS-API
 * only from ssh_userauth_gssapi() and its server side. Linking the Kerberos
 * shared libraries would make the release binary depend on five of them;
 * these definitions instead make GSS-API report that no mechanism is
 * available (GSS_S_UNAVAILABLE), which libssh turns into an ordinary
 * authentication error should gssapi-with-mic ever be attempted.
 *
 * Signatures follow RFC 2744 (the GSS-API C bindings) as MIT's <gssapi.h>
 * declares them (no header is installed: libkrb5-dev is not needed). Every
 * output handle is set to "none"; nothing is allocated, so the release
 * functions have nothing to free. */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t OM_uint32;
typedef struct gss_OID_desc_struct {
  OM_uint32 length;
  void* elements;
} gss_OID_desc, *gss_OID;
typedef struct gss_OID_set_desc_struct {
  size_t count;
  gss_OID elements;
} gss_OID_set_desc, *gss_OID_set;
typedef struct gss_buffer_desc_struct {
  size_t length;
  void* value;
} gss_buffer_desc, *gss_buffer_t;
typedef void* gss_name_t;
typedef void* gss_cred_id_t;
typedef void* gss_ctx_id_t;
typedef void* gss_channel_bindings_t;
typedef OM_uint32 gss_qop_t;
typedef int gss_cred_usage_t;

#define GSS_S_COMPLETE 0u
#define GSS_S_UNAVAILABLE (16u << 16)

/* The name types' OIDs, as RFC 2744 section 4 assigns them. */
static gss_OID_desc nt_user_name = {10, (void*)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x01"};
static gss_OID_desc nt_hostbased_service = {10, (void*)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
gss_OID GSS_C_NT_USER_NAME = &nt_user_name;
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &nt_hostbased_service;

static const char kMessage[] = "GSSAPI is not available in this build of terraform-provider-pxc";

static OM_uint32 unavailable(OM_uint32* minor) {
  if (minor) *minor = 0;
  return GSS_S_UNAVAILABLE;
}

static void clear_buffer(gss_buffer_t b) {
  if (b) {
    b->length = 0;
    b->value = NULL;
  }
}

OM_uint32 gss_indicate_mechs(OM_uint32* minor, gss_OID_set* mechs) {
  if (mechs) *mechs = NULL;
  return unavailable(minor);
}

OM_uint32 gss_create_empty_oid_set(OM_uint32* minor, gss_OID_set* set) {
  if (set) *set = NULL;
  return unavailable(minor);
}

OM_uint32 gss_add_oid_set_member(OM_uint32* minor, gss_OID member, gss_OID_set* set) {
  (void)member;
  (void)set;
  return unavailable(minor);
}

OM_uint32 gss_test_oid_set_member(OM_uint32* minor, gss_OID member, gss_OID_set set, int* present) {
  (void)member;
  (void)set;
  if (present) *present = 0;
  if (minor) *minor = 0;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_release_oid_set(OM_uint32* minor, gss_OID_set* set) {
  if (set) *set = NULL;
  if (minor) *minor = 0;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_import_name(OM_uint32* minor, gss_buffer_t name, gss_OID type, gss_name_t* out) {
  (void)name;
  (void)type;
  if (out) *out = NULL;
  return unavailable(minor);
}

OM_uint32 gss_display_name(OM_uint32* minor, gss_name_t name, gss_buffer_t out, gss_OID* type) {
  (void)name;
  clear_buffer(out);
  if (type) *type = NULL;
  return unavailable(minor);
}

OM_uint32 gss_release_name(OM_uint32* minor, gss_name_t* name) {
  if (name) *name = NULL;
  if (minor) *minor = 0;
  return GSS_S_COMPLETE;
}

/* libssh prints this text in its error message. */
OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 status, int type, gss_OID mech,
                             OM_uint32* context, gss_buffer_t out) {
  (void)status;
  (void)type;
  (void)mech;
  if (context) *context = 0;
  if (out) {
    out->length = sizeof kMessage - 1;
    out->value = (void*)kMessage;
  }
  if (minor) *minor = 0;
  return GSS_S_COMPLETE;
}

/* Buffers handed out here are empty or point to kMessage: nothing to free. */
OM_uint32 gss_release_buffer(OM_uint32* minor, gss_buffer_t buffer) {
  clear_buffer(buffer);
  if (minor) *minor = 0;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_acquire_cred(OM_uint32* minor, gss_name_t name, OM_uint32 time_req, gss_OID_set mechs,
                           gss_cred_usage_t usage, gss_cred_id_t* cred, gss_OID_set* actual_mechs,
                           OM_uint32* time_rec) {
  (void)name;
  (void)time_req;
  (void)mechs;
  (void)usage;
  if (cred) *cred = NULL;
  if (actual_mechs) *actual_mechs = NULL;
  if (time_rec) *time_rec = 0;
  return unavailable(minor);
}

OM_uint32 gss_inquire_cred(OM_uint32* minor, gss_cred_id_t cred, gss_name_t* name,
                           OM_uint32* lifetime, gss_cred_usage_t* usage, gss_OID_set* mechs) {
  (void)cred;
  if (name) *name = NULL;
  if (lifetime) *lifetime = 0;
  if (usage) *usage = 0;
  if (mechs) *mechs = NULL;
  return unavailable(minor);
}

OM_uint32 gss_inquire_cred_by_mech(OM_uint32* minor, gss_cred_id_t cred, gss_OID mech,
                                   gss_name_t* name, OM_uint32* init_lifetime,
                                   OM_uint32* accept_lifetime, gss_cred_usage_t* usage) {
  (void)cred;
  (void)mech;
  if (name) *name = NULL;
  if (init_lifetime) *init_lifetime = 0;
  if (accept_lifetime) *accept_lifetime = 0;
  if (usage) *usage = 0;
  return unavailable(minor);
}

OM_uint32 gss_release_cred(OM_uint32* minor, gss_cred_id_t* cred) {
  if (cred) *cred = NULL;
  if (minor) *minor = 0;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_init_sec_context(OM_uint32* minor, gss_cred_id_t cred, gss_ctx_id_t* ctx,
                               gss_name_t target, gss_OID mech, OM_uint32 req_flags,
                               OM_uint32 time_req, gss_channel_bindings_t bindings,
                               gss_buffer_t input, gss_OID* actual_mech, gss_buffer_t output,
                               OM_uint32* ret_flags, OM_uint32* time_rec) {
  (void)cred;
  (void)ctx;
  (void)target;
  (void)mech;
  (void)req_flags;
  (void)time_req;
  (void)bindings;
  (void)input;
  if (actual_mech) *actual_mech = NULL;
  clear_buffer(output);
  if (ret_flags) *ret_flags = 0;
  if (time_rec) *time_rec = 0;
  return unavailable(minor);
}

OM_uint32 gss_accept_sec_context(OM_uint32* minor, gss_ctx_id_t* ctx, gss_cred_id_t cred,
                                 gss_buffer_t input, gss_channel_bindings_t bindings,
                                 gss_name_t* source, gss_OID* mech, gss_buffer_t output,
                                 OM_uint32* ret_flags, OM_uint32* time_rec,
                                 gss_cred_id_t* delegated) {
  (void)ctx;
  (void)cred;
  (void)input;
  (void)bindings;
  if (source) *source = NULL;
  if (mech) *mech = NULL;
  clear_buffer(output);
  if (ret_flags) *ret_flags = 0;
  if (time_rec) *time_rec = 0;
  if (delegated) *delegated = NULL;
  return unavailable(minor);
}

OM_uint32 gss_get_mic(OM_uint32* minor, gss_ctx_id_t ctx, gss_qop_t qop, gss_buffer_t message,
                      gss_buffer_t token) {
  (void)ctx;
  (void)qop;
  (void)message;
  clear_buffer(token);
  return unavailable(minor);
}

OM_uint32 gss_verify_mic(OM_uint32* minor, gss_ctx_id_t ctx, gss_buffer_t message,
                         gss_buffer_t token, gss_qop_t* qop) {
  (void)ctx;
  (void)message;
  (void)token;
  if (qop) *qop = 0;
  return unavailable(minor);
}
