/** The emails Edgewise sends, as plain text with a link into the console. */

export function verificationEmail(appUrl: string, name: string, token: string) {
  const link = `${appUrl}/verify?token=${encodeURIComponent(token)}`;
  return {
    kind: "verify_email",
    subject: "Verify your Edgewise account",
    text: `Hello ${name},\n\nConfirm your email address to finish signing up:\n${link}\n\nThe link works for 24 hours. If you did not sign up, ignore this message.`,
  };
}

export function passwordResetEmail(appUrl: string, name: string, token: string) {
  const link = `${appUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    kind: "reset_password",
    subject: "Reset your Edgewise password",
    text: `Hello ${name},\n\nSomeone asked to reset the password of this account. To choose a new one, open:\n${link}\n\nThe link works for one hour. If it was not you, ignore this message: your password stays as it is.`,
  };
}
