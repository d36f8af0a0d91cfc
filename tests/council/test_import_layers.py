"""The apps' import rules (the import-linter contracts in pyproject.toml, run by `make lint`):
kept by the code as it is, and each one broken by an import that crosses it, so a clean
`make lint` means the layers really hold."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("forms", "home", "services", "search", "site")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": f"{root}:{root / 'site'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class ImportLayerTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = Path(__import__("tempfile").mkdtemp(prefix="council-layers-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def copy_of_the_code(self, name: str) -> Path:
        """The product's packages and pyproject.toml, in a folder of the test's own."""
        root = self.tmp / name
        ignore = shutil.ignore_patterns("__pycache__", "static", "node_modules", "*.po", "*.mo")
        for package in PACKAGES:
            shutil.copytree(ROOT / package, root / package, ignore=ignore)
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        return root

    def assert_broken(self, root: Path, contract: str) -> None:
        result = lint_imports(root)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertRegex(result.stdout, rf"{contract}\s+BROKEN")

    def test_the_code_keeps_every_contract(self):
        result = lint_imports(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("0 broken", result.stdout)

    def test_a_lower_layer_importing_a_higher_one_breaks_the_layers(self):
        root = self.copy_of_the_code("upward")
        # The bottom layer reaching up into the flows app.
        (root / "site/core/probe.py").write_text("from forms.flows import signals  # noqa\n")
        self.assert_broken(root, "Apps depend on the layers below them only")

    def test_two_apps_of_one_layer_must_not_know_each_other(self):
        root = self.copy_of_the_code("siblings")
        (root / "forms/inbox/probe.py").write_text("from forms.insights import tracking  # noqa\n")
        self.assert_broken(root, "Apps depend on the layers below them only")

    def test_a_product_module_importing_the_demo_breaks_its_contract(self):
        root = self.copy_of_the_code("demo")
        (root / "forms/flows/probe.py").write_text("import demo.handlers  # noqa\n")
        self.assert_broken(root, "No product module imports the demo or the benchmarks")

    def test_question_types_importing_the_runtime_break_the_flows_layers(self):
        root = self.copy_of_the_code("flows")
        (root / "forms/flows/questions/probe.py").write_text(
            "from forms.flows.runtime import wizard  # noqa\n"
        )
        self.assert_broken(
            root, "Inside the flows app: the runtime on top, registries at the bottom"
        )

    def test_every_contract_is_declared_and_every_app_has_a_layer(self):
        # Removing a contract, or adding an app without placing it in the layers, fails here.
        config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
        contracts = {contract["id"]: contract for contract in config["contracts"]}
        self.assertEqual(set(contracts), {"layers", "product-without-demo", "flows-inside"})
        layered = {
            name.strip() for layer in contracts["layers"]["layers"] for name in layer.split("|")
        }
        ours = {
            app.name
            for app in apps.get_app_configs()
            if Path(app.path).is_relative_to(ROOT) and ".venv" not in Path(app.path).parts
        }
        self.assertEqual(ours - layered, set())
