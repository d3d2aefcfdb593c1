# A new CA for the cluster: ECDSA P-256 key, ten years, renewed (replaced)
# by the first plan that runs within 30 days of its end.
resource "pxc_ca" "cluster" {
  key_algorithm         = "ECDSA"
  common_name           = "PXC-CA"
  organization          = "Example Corp"
  validity_period_hours = 87600
  early_renewal_hours   = 720
}

# Adopting the CA made by the manual procedure: nothing is generated, the
# key and certificate are validated (key matches, certificate is a CA).
resource "pxc_ca" "existing" {
  existing_private_key_pem = file(var.ca_private_key_file)
  existing_cert_pem        = file(var.ca_cert_file)
}

# The CA key kept out of state: written once to a file on the machine
# running Terraform (mode 0600, never overwritten, left in place on destroy);
# state keeps the certificate, the public key and its fingerprint. Sign with
# the ephemeral pxc_ca_key (see its page) into ca_private_key_pem_wo.
resource "pxc_ca" "offline_key" {
  key_algorithm    = "ECDSA"
  common_name      = "PXC-CA-2026"
  private_key_file = "/home/dba/pxc-ca/ca-key-2026.pem"
}

output "ca_fingerprint" {
  value = pxc_ca.cluster.cert_sha256_fingerprint
}
