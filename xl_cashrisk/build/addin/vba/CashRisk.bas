Attribute VB_Name = "CashRiskRibbon"
' CashRisk ribbon callbacks (source of truth: xl_cashrisk/build/addin/vba/CashRisk.bas in the xl-cashrisk repo).
' Every button on the CashRisk tab names CashRiskAction; the button's tag names a Python action.
' Python (udfs.actions.dispatch) checks the tag against its registry and answers an unknown one with a message.
Option Explicit

Public Sub CashRiskAction(control As Object)
    ' xlwings' RunPython reads the active workbook before Python starts: without one it would stop with
    ' "Object variable not set", so say what to do instead. (ASCII only: the project's code page is 1252.)
    If ActiveWorkbook Is Nothing Then
        MsgBox "CashRisk needs an open workbook: open or create one, then click the button again.", _
               vbInformation, "CashRisk"
        Exit Sub
    End If
    RunPython "import udfs.actions; udfs.actions.dispatch('" & CashRiskSafeTag(control.Tag) & "')"
End Sub

Public Sub CashRiskImportFunctions()
    ' One-time setup: writes the VBA wrappers of the Excel functions (UDF Modules) into this add-in.
    If ActiveWorkbook Is Nothing Then
        MsgBox "CashRisk needs an open workbook: open or create one first.", vbInformation, "CashRisk"
        Exit Sub
    End If
    ImportPythonUDFsToAddin
End Sub

Private Function CashRiskSafeTag(ByVal tag As String) As String
    ' Tags are lower-case identifiers; nothing else may reach the Python command line.
    Dim i As Long
    If Len(tag) = 0 Then
        CashRiskSafeTag = "invalid_tag"
        Exit Function
    End If
    For i = 1 To Len(tag)
        If Not (Mid$(tag, i, 1) Like "[a-z0-9_]") Then
            CashRiskSafeTag = "invalid_tag"
            Exit Function
        End If
    Next i
    CashRiskSafeTag = tag
End Function
