# Loket — English

skip-link = Skip to content
nav-label = Main menu
lang-label = Language
nav-home = Home
nav-staff = Staff
nav-admin = Administration
nav-account = My account
nav-login = Sign in
nav-logout = Sign out
nav-register = Register
nav-api = API
send = Send
save = Save
search = Search
filter = Filter
yes = yes
no = no

home-title = Welcome to the city's online services
home-intro = Arrange your business with the city online, at any time. Need help? Call us or book an appointment at the counter: we help you with the same request.
home-services = Online services
home-help = Need help?
home-help-text = The contact centre answers your questions on every subject, by phone, by mail and at the counter. Counters work by appointment, without queues.
home-help-phone = Phone:
home-help-open-now = open now
home-help-closed-now = closed now
home-help-days = { $first } to { $last }
home-help-kb = Find an answer in the knowledge base
home-help-ask = Ask a question in writing
home-help-book = Book an appointment at the counter
home-search-title = Search
home-search-label = Search services and answers
home-search-button = Search
home-search-services = Services
home-search-articles = Answers from the knowledge base
home-search-no-services = No service matches these words.
home-search-no-articles = No answer matches these words. Ask us your question: we will answer it.
service-soon = No services are online yet.

login-title = Sign in
login-submit = Sign in
login-forgot = Forgot your password?
login-register = No account yet? Register.
login-resend = Didn't get the confirmation e-mail?
login-wrong = The e-mail address or the password is wrong. Check them and try again.
login-unconfirmed = First confirm your e-mail address with the link we sent you. No e-mail? Ask for a new link.
login-throttled = Too many failed attempts. Wait { $minutes } minutes and try again, or choose a new password through 'Forgot your password?'.
demo-accounts = Demo accounts
demo-accounts-text = Every demo account's password is 'loket-demo-2026'. For example: admin@demo.leuven.be, loket@demo.leuven.be, an.peeters@example.org. The full list is in the terminal where the demo runs.

register-title = Register
register-intro = Create an account to submit and follow your requests online.
register-submit = Create account
register-done-title = Confirm your e-mail address
register-done-text = We sent you an e-mail with a link. Click that link to activate your account. The link is valid for 48 hours.
confirm-ok-title = E-mail address confirmed
confirm-ok-text = Your e-mail address is confirmed. You can sign in now.
confirm-bad-title = This link no longer works
confirm-bad-text = The confirmation link was already used or has expired. Ask for a new link through 'Didn't get the confirmation e-mail?' on the sign-in page.
resend-title = New confirmation link
resend-intro = Enter your e-mail address. If there is an account that is not confirmed yet, we send a new link.
resend-done = If there is an unconfirmed account with this address, you just received a new link.

forgot-title = Forgot your password
forgot-intro = Enter your account's e-mail address. We send you a link to choose a new password.
forgot-done = If there is an account with this e-mail address, you received an e-mail with a link. The link is valid for one hour.
reset-title = Choose a new password
reset-submit = Save password
reset-bad-title = This link no longer works
reset-bad-text = The link was already used or has expired. Ask for a new one through 'Forgot your password?'.
reset-done-title = Password changed
reset-done-text = Your new password is saved. All other sessions were signed out. You can sign in now.

account-title = My account
account-language = Language
account-password = Change password
account-password-submit = Change password
account-password-done = Your password was changed. Your other sessions were signed out.

staff-title = Staff
staff-intro = Welcome. Below are your roles and what you can do here.
work-title = What waits for you today ({ $date })
work-cases-overdue = Your cases past their due date
work-cases-due = Your cases due up to { $until }
work-cases-unassigned = Open cases of your departments that nobody has taken
work-forwards-overdue = Forwards to your departments past their due day
work-forwards-due = Forwards to your departments due today
work-waiting = { $location }: tickets waiting now
work-appointments = { $location }: appointments today still to come (seen: { $served }, did not come: { $noshow })
work-months = Telework months of your team to approve for { $month }
work-bikes = Bikes in maintenance, to check
work-loans = Loans past their return day
work-shifts = Shifts up to { $until } without enough people ({ $places } places to fill)
work-privacy-overdue = Data-protection requests past their deadline
work-privacy-open = Open data-protection requests

role-resident = Resident
role-counter = Counter staff
role-contact-centre = Contact centre
role-case-handler = Case handler
role-hr = Human resources
role-finance = Finance
role-ict = ICT asset management
role-fleet = Fleet management
role-employee = Employee (own telework days)
role-vaccination-coordinator = Vaccination centre coordinator
role-vaccination-staff = Vaccination centre staff
role-admin = Administrator
role-all-departments = All departments (need to know: sees every department's cases and forwards)
role-management = Management (the dashboard with the city's figures)

admin-users-title = Users and tokens
admin-new-user-title = Add staff member
admin-user-title = User
admin-staff = Staff
admin-residents = Residents
admin-residents-count = There are { $count } resident accounts. They are not listed; look a resident up by exact e-mail address. Every look-up is written to the access log.
admin-residents-more = There are more than { $count } resident accounts. They are not listed; look a resident up by exact e-mail address. Every look-up is written to the access log.
admin-search-email = E-mail address
admin-search-hint = The full e-mail address, for example an.peeters@example.org
admin-search-none = No account with that e-mail address.
admin-tokens = API tokens
admin-created = Created
admin-last-used = Last used
admin-status = Status
admin-revoked = revoked
admin-revoke = Revoke
admin-create = Add staff member
admin-confirmed = E-mail address confirmed
admin-token-create = Create token
admin-token-once = Copy this token now: it is shown only once.

audit-title = Audit log
audit-person = Person (user id)
audit-record-type = Record type
audit-record-id = Record id
audit-when = When
audit-who = Who
audit-action = Action
audit-record = Record
audit-before = Before
audit-after = After
access-title = Access log
access-subject = Whose data
access-purpose = Purpose

mail-title = Sent mail
mail-intro = Every message from the outbox, newest first. Without an SMTP server they are also kept as .eml files.
mail-to = To
mail-subject = Subject

api-title = API
api-intro = Loket has a JSON API under /api/v1. Authenticate with the header 'Authorization: Bearer <token>'. Errors come back as application/problem+json.
api-operations = Operations
api-method = Method
api-path = Path
api-summary = Summary

field-email = E-mail address
field-name = Name
field-password = Password
field-password-repeat = Repeat the password
field-current-password = Current password
field-new-password = New password
field-roles = Roles
field-locale = Language
field-token-name = Token name
hint-email = We send you a link to confirm this address.
hint-password = At least { $min } characters. A sentence of a few words is strong and easy to remember.
hint-staff-password = Optional. Leave empty to e-mail the staff member a link to choose a password themselves.
hint-token-name = For example: link with the accounting package

error-summary = There is a problem
err-required = { $field }: fill in this field.
err-email-invalid = { $field }: enter a valid e-mail address, like name@example.be.
err-email-taken = { $field }: an account with this e-mail address already exists. Sign in or choose 'Forgot your password?'.
err-password-too-short = { $field }: use at least 10 characters.
err-password-too-long = { $field }: use at most 256 characters.
err-password-is-email = { $field }: do not use your e-mail address as your password.
err-password-mismatch = { $field }: the two passwords differ. Type them again.
err-password-wrong = { $field }: this is not your current password.
err-name-invalid = { $field }: use at most 100 characters, without control characters.
err-role-unknown = { $field }: choose roles from the list (resident, counter, contact_centre, case_handler, hr, fleet, finance, vaccination_coordinator, vaccination_staff, employee, ict, admin, privacy_officer, all_departments, management).
err-roles-required = { $field }: choose at least one role.
err-role-self-admin = { $field }: you cannot remove your own administrator role. Ask another administrator.
err-locale-unknown = { $field }: choose Dutch or English.
err-nrn-format = { $field }: a national register number has 11 digits, like 85.07.30-033.28.
err-nrn-checksum = { $field }: this national register number does not exist (the check digits are wrong). Check the digits.
err-iban-invalid = { $field }: enter a valid IBAN account number, like BE68 5390 0754 7034.
err-postal-code-invalid = { $field }: a Belgian postal code has 4 digits, like 3000.
err-plate-invalid = { $field }: enter a Belgian licence plate, like 1-ABC-123.

error-not-found = Page not found
error-not-found-text = This page does not exist (any more). Check the address or go to the home page.
error-unauthorized = Sign-in required
error-unauthorized-text = Sign in to continue.
error-forbidden = No access
error-needs-role = This needs one of these roles: { $roles }.
error-forbidden-text = You do not have the role this page needs. Ask an administrator for access if you think you need it.
error-csrf = Form expired
error-csrf-text = The form expired or did not come from this site. Nothing was changed. Go back, reload the page and try again.
error-too-many = Too many requests
error-too-many-text = You made too many requests. Wait a moment and try again.
error-invalid = Invalid input
error-invalid-text = Some data is not right. Nothing was changed.
error-conflict = Already exists
error-conflict-text = This already exists. Nothing was changed.
error-internal = Something went wrong
error-internal-text = Something went wrong on our side. Nothing was changed. Please try again later.
error-reference = Reference for the help desk:
error-unavailable = Briefly unavailable
error-unavailable-text = The service is briefly unavailable. Nothing was changed. Please try again in a minute.
error-bad-request = Bad request
error-method = Method not allowed
error-media-type = Wrong content type: send JSON (Content-Type: application/json).
error-too-large-text = The request is too large. A file may be at most 10 MB. Nothing was changed.
error-too-large = Request too large

mail-confirm-subject = Confirm your e-mail address for { $city }
mail-confirm-body =
    Dear { $name },

    Thank you for registering with the online services of { $city }.
    Confirm your e-mail address through this link (valid for 48 hours):

    { $link }

    Didn't register? Then you can ignore this e-mail.

    { $city }
mail-reset-subject = New password for { $city }
mail-reset-body =
    Dear { $name },

    Choose a new password through this link (valid for one hour):

    { $link }

    Didn't ask for this? Then you can ignore this e-mail; your password stays the same.

    { $city }
mail-welcome-subject = Your account at { $city }
mail-welcome-body =
    Dear { $name },

    A staff account was created for you in Loket, the online services of { $city }.
    Choose your password through this link (valid for 7 days):

    { $link }

    { $city }
mail-known-subject = Registration with your e-mail address at { $city }
mail-known-body =
    Dear { $name },

    Someone just tried to create an account at { $city } with your e-mail address.
    You already have an account with this address; nothing was changed.

    Was it you? Then simply sign in. Forgot your password? Choose a new one through:

    { $link }

    Wasn't it you? Then you can ignore this e-mail.

    { $city }
limit-reached = You asked for this too often. Try again in { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }.
login-slow = Too many failed attempts for this account. Wait { $seconds } seconds and try again, or choose a new password through 'Forgot password'.
email-confirm-title = Confirm your e-mail address
email-confirm-intro = Press the button to confirm your e-mail address and activate your account.
email-confirm-submit = Confirm
demo-password-warning = Warning: at least one account still has the demo's public password. Anyone can sign in with it. Change that password or disable the account.
err-limit-retry = Try again after { $value }.

## Accounts that end, API tokens (issue 15)
err-scope-unknown = { $field }: "{ $value }" is not a scope. Use context:read or context:write, e.g. cases:read.
err-scopes-required = { $field }: choose at least one scope.
err-token-days-invalid = { $field }: give a number of days from 1 to { $value }.
err-reason-required = { $field }: say why, in at least 3 characters.
err-account-already-disabled = { $field }: this account is already disabled.
err-account-not-disabled = { $field }: this account is not disabled.
err-account-self-disable = { $field }: you cannot disable your own account. Ask another administrator.
err-account-is-disabled = { $field }: the account is disabled; enable it before creating a token.
field-scopes = Scopes
field-expires_in_days = Valid for (days)
hint-disable-reason = Why the account is disabled. Its sessions and API tokens stop working at once.
hint-enable-reason = Why the account may be used again. Its old API tokens stay revoked.
hint-token-days = 1 to 730 days; empty: 90 days.
admin-staff-end = End of employment
admin-account-state = Account
admin-account-active = Active
admin-account-disabled = Disabled
admin-disable = Disable account
admin-enable = Enable account
admin-token-expires = expires
admin-token-expired = expired
api-scope-missing = This token lacks the scope { $scope }.
mail-ict-ending-subject = End of employment: { $name } ({ $employee_no }) still has { $count } item(s) on loan
mail-ict-ending-body =
    Hello ICT,

    The staff record of { $name } (employee number { $employee_no }) ended on { $end_date }. The Loket account has been disabled.
    Still on loan to this person (tag · category model · serial (due) · hand-over):

    { $list }

    Please collect the equipment and check it in.

    { $city }
mail-ict-ending-more = … and { $count } more items not listed here (see the person's equipment page in Loket).
account-ends-note = Your account is disabled from that day.
# OpenID Connect sign-in (e-ID, itsme)
login-eid = Sign in with eID or itsme
login-or-password = Or sign in with your e-mail address and password:
oidc-unreachable-title = Sign-in service unavailable
oidc-unreachable-text = The eID and itsme sign-in service cannot be reached right now. Nothing was changed. Try again in a few minutes, or sign in with your e-mail address and password.
oidc-refused-title = Sign-in not accepted
oidc-refused-text = We could not check this sign-in, so it was not accepted and nothing was changed. Start again from the sign-in page.
oidc-nrn-text = The sign-in service did not give us a valid national register number, so we cannot open your account. Nothing was changed.
oidc-denied-text = The sign-in was cancelled or refused at the sign-in service. Nothing was changed.
oidc-disabled-text = This account is disabled. Contact the city.
oidc-link-refused-title = Link not made
oidc-nrn-other-account = This national register number already belongs to another account in Loket. Nothing was changed; contact the city to merge the accounts.
oidc-account-other-nrn = This account is already linked to another national register number. Nothing was changed.
account-eid = eID and itsme
account-eid-number = This account is linked to national register number { $number }.
account-eid-now = You signed in with eID or itsme.
account-eid-linked = Your account is now linked to your national register number: from now on you can sign in with eID or itsme.
account-eid-link-intro = Link this account to your eID or itsme, so you can sign in with them and see what the city keeps under your national register number. Enter your password first.
account-eid-link-submit = Link with eID or itsme
field-link-password = Password
account-invitations = Vaccination invitations
account-invitations-more = More than { $count } invitations are kept under this number; only the newest { $count } are listed here.
account-invitation-campaign = Campaign
account-invitation-code = Code
account-invitation-status = Status
account-invitation-invited = invited
account-invitation-booked = booked
account-invitation-vaccinated = vaccinated
account-invitation-cancelled = cancelled
requires-identity-unknown = Use "eid" or leave it out.
case-identified = Submitter identified by
case-identified-eid = eID or itsme (national register number checked)
case-identified-password = e-mail address and password only
case-identified-counter = staff, at the counter or on the phone
case-identified-api = the API (a staff token)
case-identified-unknown = not recorded (before this was kept)
login-staff-directory = Staff sign in with the city's account, not with a password here. Use "Staff: sign in with the city's account".
login-staff-sso = Staff: sign in with the city's account
oidc-no-role-text = Your account in the city's directory is in no group that gives access to Loket, so you were not signed in (and any session you had here has ended). Ask your manager or ICT to add you to the right group.

# Need to know: the departments of a staff account.
field-departments = Departments
admin-departments-intro = A case handler or department staff member sees only the cases and forwards of these departments, unless they hold the role "All departments".
admin-departments-none = No departments assigned.
err-department-unknown = { $field }: choose departments from the list.
err-department-not-staff = { $field }: only staff accounts belong to departments.

# The sent-mail pages hide links that still work.
mail-link-hidden-until = [link hidden until it expires on { $until }]
mail-link-hidden = [link hidden: it carries a signed token]

## Paged lists (one pager under every list that grows)
pager-nav = Pages
pager-prev = Previous page
pager-next = Next page
pager-total = { $count } in total
pager-more-than = More than { $count }
picker-more = More than { $count } found: type more to narrow the search.
pager-csv = Download as CSV (same filters)
field-cursor = Page link
field-limit = Rows per page
err-cursor-invalid = { $field }: this page link cannot be read (it may be from another list or cut off). Start again from the first page.
err-limit-invalid = { $field }: enter a whole number from 1 to { $value }.
err-range-reversed = { $field }: the end date is before the start date. Choose an end date on or after the start date.
err-range-too-long = { $field }: the period is longer than { $value } days (both days counted). Choose an end date closer to the start date, or ask for the period in parts.
