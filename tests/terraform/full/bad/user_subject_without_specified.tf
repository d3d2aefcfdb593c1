# Refused while planning: a subject is only stored as a "specified" requirement.
resource "pxc_ssl_user" "bad" {
  name            = "app"
  require         = "ssl"
  require_subject = "/CN=app"
}
