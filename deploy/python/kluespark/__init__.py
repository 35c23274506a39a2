"""kluespark for PySpark: ``from kluespark import TextEmbedder``.

The JVM side (the kluespark job jar and com.microsoft.onnxruntime:onnxruntime_gpu) must be on the Spark
classpath: ``--jars``/``--packages``, ``spark.jars``, or a Databricks cluster library.
"""

import sys
import types

from kluespark.embedder import JAVA_CLASS, TextEmbedder

__all__ = ["TextEmbedder"]
__version__ = "0.1.0.dev0"


def _alias_java_package():
    """PySpark finds the Python class of a loaded Java stage by importing the Java class's package as a Python
    module (JavaParams._from_java imports org.kluespark.stage and takes TextEmbedder from it). Register that
    module name, so TextEmbedder.load and PipelineModel.load of pipelines holding a TextEmbedder give this
    class. Only the leaf name is registered: a real top-level package named org is left alone."""
    package, _, name = JAVA_CLASS.rpartition(".")
    alias = sys.modules.get(package)
    if alias is None:
        alias = types.ModuleType(package, "alias registered by kluespark for PySpark ML persistence")
        sys.modules[package] = alias
    setattr(alias, name, TextEmbedder)


_alias_java_package()
