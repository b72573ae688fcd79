"""Runs under LibreOffice's Python (standard library + ``uno``): rewrite a workbook's VBA modules and save.

    python3 lo_vba.py JOB.json

JOB: {"input", "output", "profile", "library", "project", "set": {module: source}, "remove": [module, ...]}.
Turns on VBA load/save in the private profile, loads ``input`` (an .xlsm), replaces or inserts each
module of ``set`` as a procedural VBA module, deletes ``remove``, renames the Basic library ``library``
to ``project`` (the VBA project's name) and stores ``output`` with the "Calc MS Excel 2007 VBA XML"
filter, which exports the Basic library as a VBA project.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "calc"))

from unodriver import Office  # the project's UNO driver, standard library only

VBA_FILTER = "Calc MS Excel 2007 VBA XML"


def main(job_file: str) -> None:
    import uno

    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    office = Office(Path(job["profile"]))
    try:
        provider = office.smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider",
                                                         office.ctx)
        vba = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (office.prop("nodepath", "/org.openoffice.Office.Calc/Filter/Import/VBA"),))
        for key in ("Load", "Save", "UseExport"):
            vba.setPropertyValue(key, True)
        vba.commitChanges()
        doc = office.desktop.loadComponentFromURL(
            Path(job["input"]).resolve().as_uri(), "_blank", 0,
            (office.prop("Hidden", True), office.prop("MacroExecutionMode", 0)))
        if doc is None:
            raise SystemExit("LibreOffice could not open the template")
        try:
            lib = doc.BasicLibraries.getByName(job["library"])
            for name in job["remove"]:
                if lib.hasByName(name):
                    lib.removeByName(name)
                if lib.hasModuleInfo(name):
                    lib.removeModuleInfo(name)
            for name, source in job["set"].items():
                body = "\n".join(ln for ln in source.replace("\r\n", "\n").split("\n")
                                 if not ln.startswith("Attribute VB_"))
                if lib.hasByName(name):
                    lib.replaceByName(name, body)
                else:
                    info = uno.createUnoStruct("com.sun.star.script.ModuleInfo")
                    info.ModuleType = uno.getConstantByName("com.sun.star.script.ModuleType.NORMAL")
                    lib.insertModuleInfo(name, info)
                    lib.insertByName(name, "Option VBASupport 1\n" + body)
            if job["project"] != job["library"]:
                # the VBA export writes the library named by the container's VBA ProjectName
                doc.BasicLibraries.renameLibrary(job["library"], job["project"])
                doc.BasicLibraries.ProjectName = job["project"]
            doc.storeToURL(Path(job["output"]).resolve().as_uri(), (office.prop("FilterName", VBA_FILTER),))
        finally:
            doc.close(True)
    finally:
        office.proc.terminate()
        office.proc.wait(30)
    print(json.dumps({"output": job["output"]}))


if __name__ == "__main__":
    main(sys.argv[1])
