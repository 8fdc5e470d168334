; Inno Setup 6 script of Loket KTP-el: installs the PyInstaller one-dir bundle.
;
;   pyinstaller --noconfirm --distpath dist installer\loket.spec     -> dist\loket\
;   iscc /DAppVersion=0.1.0 installer\windows\loket.iss             -> dist\loket-ktpel-0.1.0-setup.exe
;
; See README.md beside this file. What it does:
; - installs the bundle into Program Files (administrator rights, 64-bit);
; - Start menu shortcut "Loket KTP-el" (loket.exe run); optional desktop and DEMO shortcuts;
; - creates %PROGRAMDATA%\Loket for the administrator file loket.toml, writable by
;   administrators only, and puts loket.example.toml there; loket.toml itself is left to the
;   administrator (or the first-run set-up) and is never written or removed by this installer;
; - uninstalling removes the program only: %PROGRAMDATA%\Loket (loket.toml, certificates),
;   each user's %LOCALAPPDATA%\loket-ktpel (database with the data balikan outbox, logs) and
;   the secrets in the Windows Credential Manager stay;
; - uninstalling is refused while the database (the shared one named in loket.toml, or the
;   uninstalling user's own) still owes data balikan: "loket-cli.exe uninstall-check" decides
;   and its message (what is owed and the way out) is shown. Deliver, or export and confirm,
;   or decommission first.

#define AppName "Loket KTP-el"
#define AppExe "loket.exe"
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z loket.iss (it is what "loket-cli.exe version" prints)
#endif
#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\..\dist\loket"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\..\dist"
#endif
#if !FileExists(BundleDir + "\" + AppExe)
  #error No bundle: build it first (pyinstaller --distpath dist installer\loket.spec), or pass /DBundleDir=...
#endif

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{F7750E05-CD74-4B64-9C85-6887134BB848}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 or newer
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=loket-ktpel-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
; Indonesian is an unofficial Inno Setup translation: put Indonesian.isl beside this script
; (from the Inno Setup translations page) to offer it.
#if FileExists(AddBackslash(SourcePath) + "Indonesian.isl")
Name: "id"; MessagesFile: "Indonesian.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "demoicon"; Description: "Start menu shortcut for the DEMO mode (training: simulator, no real data)"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "noscpnp"; Description: "Turn off Windows smart-card Plug and Play (EnableScPnP=0; recommended for KTP-el card readers, affects every smart card on this PC)"; GroupDescription: "Smart card:"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no library of the previous version may stay behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "loket.example.toml"; DestDir: "{commonappdata}\Loket"; Flags: ignoreversion

[Dirs]
; The administrator's folder outlives the program (loket.toml and certificates are the site's).
Name: "{commonappdata}\Loket"; Flags: uninsneveruninstall

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "run"; WorkingDir: "{app}"; Comment: "NIK and KTP-el verification at the service counter"
Name: "{autoprograms}\{#AppName} (DEMO)"; Filename: "{app}\{#AppExe}"; Parameters: "demo"; WorkingDir: "{app}"; Comment: "Training: built-in simulator, demo officers, nothing real"; Tasks: demoicon
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "run"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; Group Policy "Turn on Smart Card Plug and Play service" = Disabled (see README.md).
Root: HKLM; Subkey: "SOFTWARE\Policies\Microsoft\Windows\ScPnP"; ValueType: dword; ValueName: "EnableScPnP"; ValueData: "0"; Flags: uninsdeletevalue; Tasks: noscpnp

[Run]
; %PROGRAMDATA% lets every user create folders and own what they create: without this, a user
; could write loket.toml before the administrator does. Administrators and SYSTEM own and
; change the folder, users may only read it.
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Loket"" /setowner *S-1-5-32-544 /T /C /Q"; Flags: runhidden waituntilterminated; StatusMsg: "Securing {commonappdata}\Loket ..."
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Loket"" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /C /Q"; Flags: runhidden waituntilterminated
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Loket\*"" /reset /T /C /Q"; Flags: runhidden waituntilterminated

[Code]
// Refuse to uninstall while data balikan is owed (loket-cli.exe uninstall-check: 0 may go on,
// 1 items owed, 2 the database could not be checked); its message says what to do.
function InitializeUninstall(): Boolean;
var
  ResultCode: Integer;
  MessageFile: String;
  Message: AnsiString;
begin
  Result := True;
  MessageFile := ExpandConstant('{tmp}\loket-uninstall-check.txt');
  if not Exec(ExpandConstant('{app}\loket-cli.exe'), 'uninstall-check --message-file "' + MessageFile + '"',
      '', SW_HIDE, ewWaitUntilTerminated, ResultCode) then
    ResultCode := 2;
  if ResultCode <> 0 then
  begin
    if not LoadStringFromFile(MessageFile, Message) then
      Message := 'Loket KTP-el cannot be uninstalled yet: data balikan may still be owed. Run "loket-cli.exe uninstall-check" for details.';
    MsgBox(Utf8ToAnsi(Message), mbCriticalError, MB_OK);
    Result := False;
  end;
end;
