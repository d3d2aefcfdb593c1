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

output "ca_fingerprint" {
  value = pxc_ca.cluster.cert_sha256_fingerprint
}
