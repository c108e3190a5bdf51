"""DescribeCustomKeyStores: all, by id, by name, and paging."""

from __future__ import annotations

from typing import Any

from kms_helpers import cluster_id, create_cloudhsm, create_xks, error_code


def names(answer: dict[str, Any]) -> list[str]:
    return [entry["CustomKeyStoreName"] for entry in answer["CustomKeyStores"]]


def test_all_by_id_and_by_name(kms: Any) -> None:
    hsm = create_cloudhsm(kms, name="hsm")
    create_xks(kms, name="xks")
    everything = kms.describe_custom_key_stores()
    assert names(everything) == ["hsm", "xks"]
    assert everything["Truncated"] is False
    assert "NextMarker" not in everything
    assert names(kms.describe_custom_key_stores(CustomKeyStoreId=hsm)) == ["hsm"]
    assert names(kms.describe_custom_key_stores(CustomKeyStoreName="xks")) == ["xks"]


def test_id_and_name_together_are_refused(kms: Any) -> None:
    hsm = create_cloudhsm(kms, name="hsm")
    assert (
        error_code(kms.describe_custom_key_stores, CustomKeyStoreId=hsm, CustomKeyStoreName="hsm")
        == "ValidationException"
    )


def test_unknown_id_or_name_is_not_found(kms: Any) -> None:
    assert error_code(kms.describe_custom_key_stores, CustomKeyStoreId="cks-0123456789abcdef0") == (
        "CustomKeyStoreNotFoundException"
    )
    assert error_code(kms.describe_custom_key_stores, CustomKeyStoreName="nope") == (
        "CustomKeyStoreNotFoundException"
    )


def fill(kms: Any, count: int) -> list[str]:
    return [
        create_cloudhsm(kms, name=f"s{n}", CloudHsmClusterId=cluster_id(n)) for n in range(count)
    ]


def test_paging_with_limit_and_marker(kms: Any) -> None:
    fill(kms, 7)
    seen: list[str] = []
    answer = kms.describe_custom_key_stores(Limit=3)
    pages = 1
    while True:
        seen += names(answer)
        if not answer["Truncated"]:
            assert "NextMarker" not in answer
            break
        assert len(answer["CustomKeyStores"]) == 3
        answer = kms.describe_custom_key_stores(Limit=3, Marker=answer["NextMarker"])
        pages += 1
    assert (pages, seen) == (3, [f"s{n}" for n in range(7)])


def test_botocore_paginator_works(kms: Any) -> None:
    fill(kms, 5)
    paginator = kms.get_paginator("describe_custom_key_stores")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["CustomKeyStores"]) for p in pages] == [2, 2, 1]


def test_a_page_boundary_survives_deletion(kms: Any) -> None:
    ids = fill(kms, 4)
    first = kms.describe_custom_key_stores(Limit=2)
    kms.delete_custom_key_store(CustomKeyStoreId=ids[2])
    rest = kms.describe_custom_key_stores(Limit=2, Marker=first["NextMarker"])
    assert names(rest) == ["s3"]


def test_markers_kmsmock_did_not_issue_are_refused(kms: Any, make_client: Any) -> None:
    fill(kms, 3)
    marker = kms.describe_custom_key_stores(Limit=1)["NextMarker"]
    assert error_code(kms.describe_custom_key_stores, Marker="made-up-marker") == (
        "InvalidMarkerException"
    )
    assert error_code(kms.describe_custom_key_stores, Marker=marker[:-2] + "AA") == (
        "InvalidMarkerException"
    )
    # A marker belongs to its own listing: another region's is refused.
    other = make_client(region="eu-west-1")
    assert error_code(other.describe_custom_key_stores, Marker=marker) == "InvalidMarkerException"


def test_connection_error_code_appears_only_when_failed(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    kms_keystores.fail_next_connect(store_id, "INSUFFICIENT_CLOUDHSM_HSMS")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    entry = kms.describe_custom_key_stores()["CustomKeyStores"][0]
    assert entry["ConnectionErrorCode"] == "INSUFFICIENT_CLOUDHSM_HSMS"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert "ConnectionErrorCode" not in kms.describe_custom_key_stores()["CustomKeyStores"][0]
