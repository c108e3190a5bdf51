// The AWS SDK for Go v2 against a kmsmock server: the CloudHSM key store
// lifecycle and the SDK's own error types. Debian's release of the SDK has no
// XKS types, so external key stores are left to the other clients. Needs
// KMSMOCK_URL, and AWS credentials and a region in the environment
// (tests/test_real_clients.py sets them).
//
// Build offline with Debian's packages:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o lifecycle ./tests/clients/go
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func require(ok bool, format string, args ...interface{}) {
	if !ok {
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
		os.Exit(1)
	}
}

// expect checks that err is the SDK's typed error target, with its error code.
func expect(err error, target interface{}, code string) {
	require(err != nil, "expected %s, but the call succeeded", code)
	require(errors.As(err, target), "expected %s, got %T: %v", code, err, err)
	var api smithy.APIError
	require(errors.As(err, &api) && api.ErrorCode() == code, "error code %v", err)
	require(api.ErrorFault() == smithy.FaultClient, "%s is a client fault", code)
	fmt.Println("as expected:", code)
}

func describe(client *kms.Client, id string) types.CustomKeyStoresListEntry {
	out, err := client.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{
		CustomKeyStoreId: aws.String(id),
	})
	check(err, "DescribeCustomKeyStores")
	require(len(out.CustomKeyStores) == 1, "one store, got %d", len(out.CustomKeyStores))
	return out.CustomKeyStores[0]
}

func waitFor(client *kms.Client, id string, state types.ConnectionStateType) types.CustomKeyStoresListEntry {
	for attempt := 0; attempt < 100; attempt++ {
		entry := describe(client, id)
		if entry.ConnectionState == state {
			return entry
		}
		time.Sleep(100 * time.Millisecond)
	}
	require(false, "%s never reached %s", id, state)
	return types.CustomKeyStoresListEntry{}
}

func main() {
	url := os.Getenv("KMSMOCK_URL")
	client := kms.New(kms.Options{
		Region:           os.Getenv("AWS_REGION"),
		Credentials:      credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
		EndpointResolver: kms.EndpointResolverFromURL(url),
	})
	anchor := "-----BEGIN CERTIFICATE-----\nMIIBgo\n-----END CERTIFICATE-----"

	created, err := client.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{
		CustomKeyStoreName:     aws.String("go-hsm"),
		CloudHsmClusterId:      aws.String("cluster-234567abcdef"),
		TrustAnchorCertificate: aws.String(anchor),
		KeyStorePassword:       aws.String("kmsuser-Passw0rd"),
	})
	check(err, "CreateCustomKeyStore")
	id := aws.ToString(created.CustomKeyStoreId)
	entry := describe(client, id)
	require(entry.ConnectionState == types.ConnectionStateTypeDisconnected, "new store: %s", entry.ConnectionState)
	require(time.Since(aws.ToTime(entry.CreationDate)).Abs() < time.Minute, "CreationDate %v", entry.CreationDate)
	require(aws.ToString(entry.TrustAnchorCertificate) == anchor, "trust anchor %q", aws.ToString(entry.TrustAnchorCertificate))

	_, err = client.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{
		CustomKeyStoreName:     aws.String("go-hsm-2"),
		CloudHsmClusterId:      aws.String("cluster-234567abcdef"),
		TrustAnchorCertificate: aws.String(anchor),
		KeyStorePassword:       aws.String("kmsuser-Passw0rd"),
	})
	var inUse *types.CloudHsmClusterInUseException
	expect(err, &inUse, "CloudHsmClusterInUseException")

	_, err = client.CreateKey(ctx, &kms.CreateKeyInput{CustomKeyStoreId: aws.String(id), Origin: types.OriginTypeAwsCloudhsm})
	var invalidStore *types.CustomKeyStoreInvalidStateException
	expect(err, &invalidStore, "CustomKeyStoreInvalidStateException")

	_, err = client.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	check(err, "ConnectCustomKeyStore")
	entry = waitFor(client, id, types.ConnectionStateTypeConnected)
	require(entry.ConnectionErrorCode == "", "connected with %q", entry.ConnectionErrorCode)

	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{CustomKeyStoreId: aws.String(id), Origin: types.OriginTypeAwsCloudhsm})
	check(err, "CreateKey")
	require(aws.ToString(key.KeyMetadata.CustomKeyStoreId) == id, "key in %v", key.KeyMetadata.CustomKeyStoreId)
	require(key.KeyMetadata.KeyState == types.KeyStateEnabled, "key state %s", key.KeyMetadata.KeyState)
	require(strings.HasPrefix(aws.ToString(key.KeyMetadata.CloudHsmClusterId), "cluster-"), "cluster id")

	plaintext := []byte("go secret")
	sealed, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: plaintext})
	check(err, "Encrypt")
	opened, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: sealed.CiphertextBlob})
	check(err, "Decrypt")
	require(bytes.Equal(opened.Plaintext, plaintext), "round trip gave %q", opened.Plaintext)
	require(aws.ToString(opened.KeyId) == aws.ToString(key.KeyMetadata.Arn), "decrypt key id %v", opened.KeyId)

	_, err = client.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	expect(err, &invalidStore, "CustomKeyStoreInvalidStateException")

	_, err = client.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	check(err, "DisconnectCustomKeyStore")
	waitFor(client, id, types.ConnectionStateTypeDisconnected)

	_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: sealed.CiphertextBlob})
	var invalidKey *types.KMSInvalidStateException
	expect(err, &invalidKey, "KMSInvalidStateException")
	_, err = client.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	var hasKeys *types.CustomKeyStoreHasCMKsException
	expect(err, &hasKeys, "CustomKeyStoreHasCMKsException")
	_, err = client.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})
	var notFound *types.CustomKeyStoreNotFoundException
	expect(err, &notFound, "CustomKeyStoreNotFoundException")
	fmt.Println("CloudHSM key store lifecycle: ok")
}
