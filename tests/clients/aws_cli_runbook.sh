#!/usr/bin/env bash
# A CloudHSM key store runbook, as an operator runs it with the AWS CLI, against
# a kmsmock server. Needs: aws on PATH, KMSMOCK_URL, and AWS credentials and a
# region in the environment (tests/test_real_clients.py sets them).
set -euo pipefail

kms() { aws kms --endpoint-url "$KMSMOCK_URL" "$@"; }

# Runs a command that must fail with the named AWS error, and shows the error.
expect_error() {
    local name="$1"
    shift
    local output
    if output="$("$@" 2>&1)"; then
        echo "FAIL: expected $name, but the command succeeded: $*" >&2
        exit 1
    fi
    if [[ "$output" != *"($name)"* ]]; then
        echo "FAIL: expected $name, got: $output" >&2
        exit 1
    fi
    echo "as expected: $name"
}

poll_state() {  # waits until the store is in state $2; prints "STATE ERRORCODE"
    local state
    for _ in $(seq 1 60); do
        state="$(kms describe-custom-key-stores --custom-key-store-id "$1" \
            --query 'CustomKeyStores[0].[ConnectionState,ConnectionErrorCode]' --output text)"
        if [[ "$state" == "$2"* ]]; then
            echo "$state"
            return 0
        fi
        sleep 0.25
    done
    echo "FAIL: the store never reached $2 (last: $state)" >&2
    exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf -- '-----BEGIN CERTIFICATE-----\nMIIBrunbook\n-----END CERTIFICATE-----\n' > "$work/customerCA.crt"

store_id="$(kms create-custom-key-store --custom-key-store-name runbook-store \
    --cloud-hsm-cluster-id cluster-234567abcdef \
    --trust-anchor-certificate "file://$work/customerCA.crt" \
    --key-store-password 'kmsuser-Passw0rd' --query CustomKeyStoreId --output text)"
echo "created $store_id"

# The same request again returns the same store (a retry); another cluster may not take its name.
again="$(kms create-custom-key-store --custom-key-store-name runbook-store \
    --cloud-hsm-cluster-id cluster-234567abcdef \
    --trust-anchor-certificate "file://$work/customerCA.crt" \
    --key-store-password 'kmsuser-Passw0rd' --query CustomKeyStoreId --output text)"
[[ "$again" == "$store_id" ]] || { echo "FAIL: a retried create made $again" >&2; exit 1; }
expect_error CustomKeyStoreNameInUseException \
    kms create-custom-key-store --custom-key-store-name runbook-store \
    --cloud-hsm-cluster-id cluster-234567abcdeg \
    --trust-anchor-certificate "file://$work/customerCA.crt" --key-store-password 'kmsuser-Passw0rd'
expect_error CustomKeyStoreInvalidStateException \
    kms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$store_id"

kms connect-custom-key-store --custom-key-store-id "$store_id"
echo "connecting: $(poll_state "$store_id" CONNECTING)"
connected="$(poll_state "$store_id" CONNECTED)"
[[ "$connected" == $'CONNECTED\tNone' ]] || { echo "FAIL: $connected" >&2; exit 1; }
echo "connected: $connected"

key_id="$(kms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$store_id" \
    --description 'runbook key' --query KeyMetadata.KeyId --output text)"
echo "key $key_id"
[[ "$(kms describe-key --key-id "$key_id" --query KeyMetadata.CustomKeyStoreId --output text)" \
    == "$store_id" ]] || { echo "FAIL: the key is not in the store" >&2; exit 1; }

printf 'runbook secret' > "$work/plain"
kms encrypt --key-id "$key_id" --plaintext "fileb://$work/plain" \
    --query CiphertextBlob --output text | base64 -d > "$work/blob"
kms decrypt --ciphertext-blob "fileb://$work/blob" --query Plaintext --output text \
    | base64 -d > "$work/back"
cmp "$work/plain" "$work/back"
echo "encrypt and decrypt: round trip"

expect_error CustomKeyStoreInvalidStateException \
    kms delete-custom-key-store --custom-key-store-id "$store_id"
kms disconnect-custom-key-store --custom-key-store-id "$store_id"
echo "disconnected: $(poll_state "$store_id" DISCONNECTED)"
expect_error CustomKeyStoreHasCMKsException \
    kms delete-custom-key-store --custom-key-store-id "$store_id"
expect_error KMSInvalidStateException \
    kms decrypt --ciphertext-blob "fileb://$work/blob"
expect_error CustomKeyStoreInvalidStateException \
    kms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$store_id"
expect_error CustomKeyStoreNotFoundException \
    kms connect-custom-key-store --custom-key-store-id cks-1234567890abcdef0
expect_error ValidationException \
    kms list-keys --limit 1001
echo "runbook: ok"
