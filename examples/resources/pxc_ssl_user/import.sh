# Import an existing account: the ID is "name@host".
terraform import pxc_ssl_user.ssluser 'ssluser@%'

# Or with an import block (Terraform >= 1.5) and a generated configuration:
#   import {
#     to = pxc_ssl_user.ssluser
#     id = "ssluser@%"
#   }
terraform plan -generate-config-out=generated.tf
# generated.tf has the requirement and the grants as the server reports them
# and leaves the password out (`= null # sensitive`): the server cannot report
# it. Set it; the next plan imports the account and sets that password.
