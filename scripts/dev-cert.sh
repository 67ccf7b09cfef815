#!/bin/sh
# Makes a development certificate authority and, signed by it, a certificate for localhost and
# 127.0.0.1, for running the relay over HTTPS on a developer machine:
#
#   sh scripts/dev-cert.sh [folder]        (default folder: .relay/tls)
#
# Writes into the folder:
#   ca.pem         the CA certificate: trust this one (browser, system, NODE_EXTRA_CA_CERTS)
#   ca-key.pem     the CA's private key (kept, so that a trusted CA stays trusted on the next run)
#   cert.pem       the localhost certificate      } relay.tls_cert_path and relay.tls_key_path
#   key.pem        its private key                }
#   identity.pfx   the same certificate and key as PKCS #12, for relay.tls_identity_path, with the
#                  password from RELAY_DEV_CERT_PASSWORD (default: relay-dev)
#
# Needs only the openssl command (OpenSSL 3, as in Debian 12 and Ubuntu 22.04 or newer). Private
# keys are written with mode 0600. Never commit these files; .gitignore keeps them out.
set -eu

dir="${1:-.relay/tls}"
password="${RELAY_DEV_CERT_PASSWORD:-relay-dev}"
days=825

if ! command -v openssl >/dev/null 2>&1; then
  echo "dev-cert: openssl is needed (on Debian or Ubuntu: sudo apt-get install openssl)" >&2
  exit 1
fi

umask 077
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# openssl req reports progress on stderr; it is shown only when something went wrong.
fail() {
  cat "$dir/openssl.log" >&2
  rm -f "$dir/openssl.log"
  exit 1
}

if [ -f "$dir/ca.pem" ] && [ -f "$dir/ca-key.pem" ]; then
  echo "dev-cert: keeping the existing CA $dir/ca.pem"
else
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" -days "$days" \
    -subj "/CN=relay development CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$dir/openssl.log" || fail
fi

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
  -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" -days "$days" \
  -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth" 2>"$dir/openssl.log" || fail

openssl pkcs12 -export -name localhost \
  -inkey "$dir/key.pem" -in "$dir/cert.pem" -certfile "$dir/ca.pem" \
  -out "$dir/identity.pfx" -passout "pass:$password"

rm -f "$dir/openssl.log"
chmod 600 "$dir/ca-key.pem" "$dir/key.pem" "$dir/identity.pfx"
chmod 644 "$dir/ca.pem" "$dir/cert.pem"

openssl verify -CAfile "$dir/ca.pem" "$dir/cert.pem" >/dev/null

cat <<EOF
dev-cert: wrote a certificate for localhost and 127.0.0.1, signed by $dir/ca.pem, into $dir

In config.yml, either the PEM pair:
  relay:
    tls_port: 3443
    tls_cert_path: $dir/cert.pem
    tls_key_path: $dir/key.pem
or the PKCS #12 identity:
  relay:
    tls_port: 3443
    tls_identity_path: $dir/identity.pfx
    tls_identity_password: $password

Trust the CA: NODE_EXTRA_CA_CERTS=$dir/ca.pem for Node, curl --cacert $dir/ca.pem, or
sudo cp $dir/ca.pem /usr/local/share/ca-certificates/relay-dev-ca.crt && sudo update-ca-certificates
EOF
