# Import a CA made with openssl: the ID is "<key file>,<cert file>" on the
# machine running Terraform. The configuration adopts the same files:
#   existing_private_key_pem = file("ca-key.pem")
#   existing_cert_pem        = file("ca.pem")
terraform import pxc_ca.existing "$PWD/ca-key.pem,$PWD/ca.pem"

# Or with an import block (Terraform >= 1.5) and a generated configuration:
#   import {
#     to = pxc_ca.existing
#     id = "/path/to/ca-key.pem,/path/to/ca.pem"
#   }
terraform plan -generate-config-out=generated.tf
# generated.tf leaves the sensitive existing_private_key_pem out
# (`= null # sensitive`): set it, e.g. to file("/path/to/ca-key.pem"); the
# next plan imports the CA and changes nothing.
