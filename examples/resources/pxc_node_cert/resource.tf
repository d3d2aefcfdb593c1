resource "pxc_ca" "cluster" {
  common_name = "PXC-CA"
}

# One certificate per database node. Galera nodes authenticate each other
# both ways, so the default usage is server_and_client. A client with ca_pem
# checks that the server's certificate names the address it connects to, so
# clients that go through HAProxy (10.77.0.10) need the load balancer's
# address in the SANs.
resource "pxc_node_cert" "node" {
  for_each = {
    pxc1 = "10.77.0.11"
    pxc2 = "10.77.0.12"
    pxc3 = "10.77.0.13"
  }
  ca_cert_pem         = pxc_ca.cluster.cert_pem
  ca_private_key_pem  = pxc_ca.cluster.private_key_pem
  common_name         = each.key
  ip_addresses        = [each.value, "10.77.0.10"]
  dns_names           = ["pxc0"]
  early_renewal_hours = 720
}

# The client host's certificate (the tutorial's pxc0): usage = "client"
# (clientAuth only), so it can never pass for a server.
resource "pxc_node_cert" "client" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "pxc0"
  usage              = "client"
  key_algorithm      = "ECDSA"
}

# A CA kept outside Terraform: its certificate from a variable, its key as a
# write-only argument from an ephemeral variable (TF_VAR_offline_ca_key,
# Terraform 1.11 or later), so no state or plan file holds the CA key.
variable "offline_ca_cert" {
  type = string
}

variable "offline_ca_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "pxc_node_cert" "pxc4" {
  ca_cert_pem           = var.offline_ca_cert
  ca_private_key_pem_wo = var.offline_ca_key
  common_name           = "pxc4"
  ip_addresses          = ["10.77.0.14"]
}
