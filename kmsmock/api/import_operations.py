"""Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.

A key created with Origin EXTERNAL takes imported material: symmetric
encryption, HMAC, RSA or ECC. What material each key spec takes, and how it
may be wrapped, lives in :mod:`kmsmock.domain.imported_material`; the rules
of a key's materials in :mod:`kmsmock.domain.key_material`, the wrapping keys
and import tokens in :mod:`kmsmock.domain.key_import`, and the rules across
related multi-Region keys in :mod:`kmsmock.domain.multi_region_material`.
"""

from __future__ import annotations

from typing import Final

from ..domain import multi_region_material
from ..domain.aws_error import AwsError
from ..domain.imported_material import check_wrapping_for, read_material
from ..domain.key_import import (
    WRAPPING_ALGORITHMS,
    ImportParameters,
    InvalidToken,
    UnwrapFailed,
    import_token,
    new_parameters,
    public_key_der,
    read_import_token,
    unwrap,
)
from ..domain.key_material import (
    DOES_NOT_EXPIRE,
    EXPIRES,
    NEW_KEY_MATERIAL,
    import_material,
    import_type_of,
)
from ..domain.key_specs import SYMMETRIC_DEFAULT
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from ..errors import UnimplementedOperationError
from .key_reference import find_key, key_owner
from .registry import Context, Params, Result, epoch, operation

__all__: list[str] = []

MAX_VALIDITY: Final = 365 * 86_400
"""ImportKeyMaterial's ValidTo may be at most 365 days after the request."""


def _imported_key(ctx: Context, params: Params, use: KeyUse) -> KmsKey:
    """The key the request names: Origin EXTERNAL, in a key state that allows ``use``."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    if key.origin != "EXTERNAL":
        raise AwsError(
            "UnsupportedOperationException",
            f"{key.arn} origin is {key.origin} which is not valid for this operation.",
        )
    key.check_use(use)
    return key


def _check_wrapping(ctx: Context, spec: str, algorithm: str) -> None:
    """Refuse a wrapping key spec and algorithm KMS does not offer together (or here)."""
    if (spec == "SM2") != (algorithm == "SM2PKE"):
        raise AwsError(
            "ValidationException",
            f"WrappingAlgorithm {algorithm} is not valid with WrappingKeySpec {spec}: the SM2 "
            "wrapping key spec takes the SM2PKE algorithm, and the RSA specs the RSA ones.",
        )
    if spec == "SM2":
        if not ctx.region.startswith("cn-"):
            raise AwsError(
                "UnsupportedOperationException",
                "The SM2 wrapping key spec is supported only in the China Regions.",
            )
        raise UnimplementedOperationError(
            "GetParametersForImport", "WrappingKeySpec SM2 (no Python library implements SM2)"
        )
    if algorithm not in WRAPPING_ALGORITHMS:
        raise AwsError(
            "UnsupportedOperationException",
            f"KMS no longer supports the {algorithm} wrapping algorithm (since October 10, "
            f"2023). Use one of: {', '.join(WRAPPING_ALGORITHMS)}.",
        )


@operation("GetParametersForImport")
def get_parameters_for_import(ctx: Context, params: Params) -> Result:
    """GetParametersForImport: a fresh RSA wrapping key and an import token, valid for 24 hours."""
    key = _imported_key(ctx, params, KeyUse.IMPORT)
    spec, algorithm = params["WrappingKeySpec"], params["WrappingAlgorithm"]
    _check_wrapping(ctx, spec, algorithm)
    check_wrapping_for(key.arn, key.key_spec, spec, algorithm)
    parameters = new_parameters(spec, algorithm, ctx.now)
    kept = key.materials.import_parameters
    for token_id in [t for t, p in kept.items() if p.valid_to <= ctx.now]:
        del kept[token_id]  # expired: they can never be used again
    kept[parameters.token_id] = parameters
    return {
        "KeyId": key.arn,
        "ImportToken": import_token(key.arn, parameters),
        "PublicKey": public_key_der(parameters),
        "ParametersValidTo": epoch(parameters.valid_to),
    }


def _valid_to(ctx: Context, params: Params) -> float | None:
    """When the imported material expires (None: it does not), as the request sets it."""
    model = params.get("ExpirationModel", EXPIRES)
    valid_to: float | None = params.get("ValidTo")
    if model == DOES_NOT_EXPIRE:
        if valid_to is not None:
            raise AwsError(
                "ValidationException",
                "ValidTo is not valid with ExpirationModel KEY_MATERIAL_DOES_NOT_EXPIRE.",
            )
        return None
    if valid_to is None:
        raise AwsError(
            "ValidationException",
            "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
        )
    if not ctx.now < valid_to <= ctx.now + MAX_VALIDITY:
        raise AwsError(
            "ValidationException",
            "ValidTo must be a future date and time, at most 365 days from now.",
        )
    return valid_to


def _parameters_of(ctx: Context, key: KmsKey, token: bytes) -> ImportParameters:
    """The wrapping key an import token names, or the error AWS answers for the token."""
    invalid = AwsError(
        "InvalidImportTokenException",
        f"The import token is not valid, or it is associated with a KMS key other than {key.arn}.",
    )
    try:
        said = read_import_token(token)
    except InvalidToken:
        raise invalid from None
    if said.key_arn != key.arn:
        raise invalid
    if said.valid_to <= ctx.now:
        raise AwsError(
            "ExpiredImportTokenException",
            "The import token has expired. Use GetParametersForImport to get a new public key "
            "and import token.",
        )
    parameters = key.materials.import_parameters.get(said.token_id)
    if parameters is None or parameters.valid_to != said.valid_to:
        raise invalid
    return parameters


_SYMMETRIC_ONLY: Final = ("ImportType", "KeyMaterialId", "KeyMaterialDescription")
"""ImportKeyMaterial parameters "only usable with symmetric encryption keys"."""


@operation("ImportKeyMaterial")
def import_key_material(ctx: Context, params: Params) -> Result:
    """ImportKeyMaterial: unwrap the material and import (or reimport) it into the key."""
    key = _imported_key(ctx, params, KeyUse.IMPORT)
    if key.key_spec != SYMMETRIC_DEFAULT:
        for name in _SYMMETRIC_ONLY:
            if name in params:
                raise AwsError(
                    "ValidationException",
                    f"{name} is valid only for symmetric encryption keys; {key.arn} key spec "
                    f"is {key.key_spec}.",
                )
    import_type = import_type_of(key.materials, params.get("ImportType"))
    multi_region_material.check_import_type(key, import_type)
    valid_to = _valid_to(ctx, params)
    parameters = _parameters_of(ctx, key, params["ImportToken"])
    try:
        unwrapped = unwrap(parameters, params["EncryptedKeyMaterial"])
    except UnwrapFailed:
        raise AwsError(
            "InvalidCiphertextException",
            f"KMS could not unwrap the key material with the wrapping key and the "
            f"{parameters.algorithm} algorithm of the import token.",
        ) from None
    secret = read_material(key.key_spec, unwrapped)
    was_usable = key.materials.complete()
    material = import_material(
        key.materials,
        key_id=key.id,
        secret=secret,
        import_type=import_type,
        material_id=params.get("KeyMaterialId"),
        description=params.get("KeyMaterialDescription"),
        valid_to=valid_to,
    )
    if import_type == NEW_KEY_MATERIAL:
        multi_region_material.share_new_material(key, material, ctx.kms.related_keys(key))
    if not was_usable and key.materials.complete():
        key.enabled = True  # "the state of the KMS key changes to Enabled"
    if material.valid_to is not None:
        ctx.kms.schedule_expiry(key_owner(ctx, key), key, material)
    return {"KeyId": key.arn, "KeyMaterialId": material.id}


@operation("DeleteImportedKeyMaterial")
def delete_imported_key_material(ctx: Context, params: Params) -> Result:
    """DeleteImportedKeyMaterial: the current material, or the one named, leaves KMS."""
    key = _imported_key(ctx, params, KeyUse.DELETE_IMPORTED)
    material_id = params.get("KeyMaterialId")
    material = key.materials.current() if material_id is None else key.materials.find(material_id)
    if material is None and material_id is not None:
        raise AwsError(
            "NotFoundException", f"Key material {material_id} is not associated with {key.arn}."
        )
    result: Result = {"KeyId": key.arn}
    if material is not None:  # a key that never had material: no effect
        multi_region_material.delete_imported(key, material, ctx.kms.related_keys(key))
        result["KeyMaterialId"] = material.id
    return result
