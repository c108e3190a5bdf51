// The AWS SDK for JavaScript v3 against a kmsmock server: the store lifecycle of
// both store types, a failed connection arranged through the control API, and
// the SDK's own error classes and date types. Needs KMSMOCK_URL, and AWS
// credentials and a region in the environment (tests/test_real_clients.py sets them).
import assert from "node:assert/strict";
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  CustomKeyStoreHasCMKsException,
  CustomKeyStoreInvalidStateException,
  DecryptCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  DisconnectCustomKeyStoreCommand,
  EncryptCommand,
  KMSClient,
  KMSInvalidStateException,
  ListKeysCommand,
  UpdateCustomKeyStoreCommand,
} from "@aws-sdk/client-kms";

const url = process.env.KMSMOCK_URL;
const kms = new KMSClient({ endpoint: url });

async function control(path, body) {
  const answer = await fetch(`${url}/_kmsmock${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const document = await answer.json();
  assert.equal(answer.status, 200, JSON.stringify(document));
  return document;
}

async function store(id) {
  const { CustomKeyStores } = await kms.send(
    new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }),
  );
  return CustomKeyStores[0];
}

async function waitFor(id, state) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = await store(id);
    if (found.ConnectionState === state) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${id} never reached ${state}`);
}

async function rejects(promise, errorClass) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof errorClass, `${error.name}: ${error.message}`);
    assert.equal(error.name, errorClass.name);
    assert.equal(error.$fault, "client");
    assert.equal(error.$metadata.httpStatusCode, 400);
    console.log(`as expected: ${error.name}`);
    return error;
  }
  throw new Error(`expected ${errorClass.name}, but the call succeeded`);
}

const trustAnchor = "-----BEGIN CERTIFICATE-----\nMIIBjs\n-----END CERTIFICATE-----";

// A CloudHSM key store, from creation to deletion.
const { CustomKeyStoreId: hsmStore } = await kms.send(
  new CreateCustomKeyStoreCommand({
    CustomKeyStoreName: "js-hsm",
    CloudHsmClusterId: "cluster-234567abcdef",
    TrustAnchorCertificate: trustAnchor,
    KeyStorePassword: "kmsuser-Passw0rd",
  }),
);
const created = await store(hsmStore);
assert.ok(created.CreationDate instanceof Date, "CreationDate is a Date");
assert.ok(Math.abs(created.CreationDate.getTime() - Date.now()) < 60_000);
assert.equal(created.ConnectionState, "DISCONNECTED");
assert.equal(created.CustomKeyStoreType, "AWS_CLOUDHSM");

await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: hsmStore }));
assert.equal((await store(hsmStore)).ConnectionState, "CONNECTING");
await rejects(
  kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: hsmStore })),
  CustomKeyStoreInvalidStateException,
);
const connected = await waitFor(hsmStore, "CONNECTED");
assert.equal(connected.ConnectionErrorCode, undefined);

const { KeyMetadata: key } = await kms.send(
  new CreateKeyCommand({ CustomKeyStoreId: hsmStore, Origin: "AWS_CLOUDHSM" }),
);
assert.ok(key.CreationDate instanceof Date, "KeyMetadata.CreationDate is a Date");
assert.equal(key.CustomKeyStoreId, hsmStore);
assert.match(key.CloudHsmClusterId, /^cluster-/);
const plaintext = new TextEncoder().encode("js secret");
const { CiphertextBlob } = await kms.send(
  new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext }),
);
assert.ok(CiphertextBlob instanceof Uint8Array);
const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob }));
assert.deepEqual(Buffer.from(decrypted.Plaintext), Buffer.from(plaintext));
assert.equal(decrypted.KeyId, key.Arn);

await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: hsmStore }));
await waitFor(hsmStore, "DISCONNECTED");
await rejects(kms.send(new DecryptCommand({ CiphertextBlob })), KMSInvalidStateException);
await rejects(
  kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: hsmStore })),
  CustomKeyStoreHasCMKsException,
);
console.log("CloudHSM key store lifecycle: ok");

// A failed connection, arranged through the control API.
const { CustomKeyStoreId: failing } = await kms.send(
  new CreateCustomKeyStoreCommand({
    CustomKeyStoreName: "js-failing",
    CloudHsmClusterId: "cluster-234567abcdeg",
    TrustAnchorCertificate: trustAnchor,
    KeyStorePassword: "kmsuser-Passw0rd",
  }),
);
await control("/stores/fail-next-connect", {
  custom_key_store_id: failing,
  connection_error_code: "INSUFFICIENT_CLOUDHSM_HSMS",
});
await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: failing }));
const failed = await waitFor(failing, "FAILED");
assert.equal(failed.ConnectionErrorCode, "INSUFFICIENT_CLOUDHSM_HSMS");
await rejects(
  kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: failing })),
  CustomKeyStoreInvalidStateException,
);
await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: failing }));
await waitFor(failing, "DISCONNECTED");
await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: failing }));
console.log("arranged failure: ok");

// An external key store, with its proxy and external key arranged through the control API.
const credential = { AccessKeyId: "JSCLIENTACCESSKEY234", RawSecretAccessKey: "c".repeat(43) + "=" };
await control("/proxies", {
  uri_endpoint: "https://xks.example.com",
  access_key_id: credential.AccessKeyId,
  secret_access_key: credential.RawSecretAccessKey,
});
await control("/proxies/keys", { uri_endpoint: "https://xks.example.com", key_id: "js-external-key" });
const { CustomKeyStoreId: xksStore } = await kms.send(
  new CreateCustomKeyStoreCommand({
    CustomKeyStoreName: "js-xks",
    CustomKeyStoreType: "EXTERNAL_KEY_STORE",
    XksProxyConnectivity: "PUBLIC_ENDPOINT",
    XksProxyUriEndpoint: "https://xks.example.com",
    XksProxyUriPath: "/kms/xks/v1",
    XksProxyAuthenticationCredential: credential,
  }),
);
const xks = await store(xksStore);
assert.equal(xks.XksProxyConfiguration.AccessKeyId, credential.AccessKeyId);
assert.equal(xks.XksProxyConfiguration.Connectivity, "PUBLIC_ENDPOINT");
await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: xksStore }));
await waitFor(xksStore, "CONNECTED");
const { KeyMetadata: external } = await kms.send(
  new CreateKeyCommand({
    CustomKeyStoreId: xksStore,
    Origin: "EXTERNAL_KEY_STORE",
    XksKeyId: "js-external-key",
  }),
);
assert.equal(external.XksKeyConfiguration.Id, "js-external-key");
const described = await kms.send(new DescribeKeyCommand({ KeyId: external.KeyId }));
assert.equal(described.KeyMetadata.Origin, "EXTERNAL_KEY_STORE");
const sealed = await kms.send(new EncryptCommand({ KeyId: external.KeyId, Plaintext: plaintext }));
const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
assert.deepEqual(Buffer.from(opened.Plaintext), Buffer.from(plaintext));
await rejects(
  kms.send(
    new UpdateCustomKeyStoreCommand({
      CustomKeyStoreId: xksStore,
      XksProxyUriEndpoint: "https://other.example.com",
    }),
  ),
  CustomKeyStoreInvalidStateException,
);
console.log("external key store lifecycle: ok");

// An injected error the SDK retries: the second attempt succeeds.
await control("/errors", { operation: "ListKeys", error_code: "KMSInternalException" });
const listed = await kms.send(new ListKeysCommand({}));
assert.equal(listed.$metadata.attempts, 2);
assert.equal(listed.Keys.length, 2);
console.log("retried injected error: ok");
