"""The engine's core library the fast path needs: never the provider bindings.

The engine is cdktf 0.21 or CDK Terrain (cdktn) 0.24, as brickline.engine chooses; cdktn's
API is cdktf's under another module name (with additions brickline does not use), so the
names below are the same on both. The provider bindings (a 6 MB jsii assembly and 249
Python modules for cdktf-cdktf-provider-databricks, 16 MB and 377 for cdktn's) load
together on the first import of any of them: over a second of every synth, whatever its
size. The fast path renders the resources' JSON itself, so it needs none of them; tf.py
imports them for the typed path (the reference) and the tests. With tf.py, this is the
only module that imports an engine.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from brickline import engine

# jsii prints a banner on every run when Node is past its end of life (Node 20 here); the
# banner is noise in every synth, so it is silenced for the Node version actually running.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,18")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import jsii

from constructs import Construct, IValidation

ENGINE = engine.current()
if TYPE_CHECKING:  # the types are cdktf's; cdktn's classes have the same names and API
    import cdktf as cdk
else:
    engine.require(ENGINE)
    cdk = importlib.import_module(ENGINE.core)

App = cdk.App
AzurermBackend = cdk.AzurermBackend
CloudBackend = cdk.CloudBackend
GcsBackend = cdk.GcsBackend
IResolvable = cdk.IResolvable
IResolveContext = cdk.IResolveContext
IStackSynthesizer = cdk.IStackSynthesizer
ISynthesisSession = cdk.ISynthesisSession
LocalBackend = cdk.LocalBackend
Manifest = cdk.Manifest
NamedCloudWorkspace = cdk.NamedCloudWorkspace
S3Backend = cdk.S3Backend
TerraformDataSource = cdk.TerraformDataSource
TerraformElement = cdk.TerraformElement
TerraformOutput = cdk.TerraformOutput
TerraformProvider = cdk.TerraformProvider
TerraformProviderGeneratorMetadata = cdk.TerraformProviderGeneratorMetadata
TerraformResource = cdk.TerraformResource
TerraformResourceLifecycle = cdk.TerraformResourceLifecycle
TerraformStack = cdk.TerraformStack
TerraformVariable = cdk.TerraformVariable
Testing = cdk.Testing
Token = cdk.Token

# The provider the engine's bindings pin (lib/provider/index.js of
# cdktf-cdktf-provider-databricks 15.16.1: providerVersion 1.99.0, of
# cdktn-provider-databricks 18.11.0: 1.138.0; providerVersionConstraint ~> 1.0 in both); the
# equivalence test compares this provider block with the bindings' DatabricksProvider.
PROVIDER_SOURCE = "databricks/databricks"
PROVIDER_VERSION = ENGINE.provider_version
PROVIDER_CONSTRAINT = "~> 1.0"


class Provider(TerraformProvider):
    """The databricks provider block and required_providers entry, as DatabricksProvider
    writes them (cdktf lib/terraform-provider.ts `toTerraform`). `provider(...)` makes one."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, terraform_resource_type="databricks",
                         terraform_generator_metadata=TerraformProviderGeneratorMetadata(
                             provider_name="databricks", provider_version=PROVIDER_VERSION,
                             provider_version_constraint=PROVIDER_CONSTRAINT),
                         terraform_provider_source=PROVIDER_SOURCE)


class HostProvider(Provider):
    """The provider block with a host. Its attributes come from Python, which costs Node a
    call back into Python each time it writes the block, so only a block with a host pays
    it (jsii calls back only for the methods a Python class overrides)."""

    def __init__(self, scope: Construct, id: str, *, host: str) -> None:
        super().__init__(scope, id)
        self._attributes = {"host": host}

    def _synthesize_attributes(self) -> Any:
        return self._attributes


def provider(scope: Construct, id: str, *, host: str | None = None) -> Provider:
    return Provider(scope, id) if host is None else HostProvider(scope, id, host=host)


# a Python class that Node may call, as an implementation of a jsii interface
implements = jsii.implements


@implements(IValidation)
class Validation:
    """A check cdktf runs on a construct when the app synthesizes (its messages fail the
    synth, prefixed with the construct's path)."""

    def __init__(self, check: Callable[[], list[str]]) -> None:
        self._check = check

    def validate(self) -> list[str]:
        return self._check()


__all__ = [
    "ENGINE",
    "PROVIDER_VERSION",
    "App",
    "AzurermBackend",
    "CloudBackend",
    "Construct",
    "GcsBackend",
    "HostProvider",
    "IResolvable",
    "IResolveContext",
    "IStackSynthesizer",
    "ISynthesisSession",
    "IValidation",
    "LocalBackend",
    "Manifest",
    "NamedCloudWorkspace",
    "Provider",
    "S3Backend",
    "TerraformDataSource",
    "TerraformElement",
    "TerraformOutput",
    "TerraformProvider",
    "TerraformProviderGeneratorMetadata",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "TerraformVariable",
    "Testing",
    "Token",
    "Validation",
    "implements",
    "provider",
]
