set(KEY ${SOURCE_DIR}/tests/fixtures/keys/test-signing-key.pem)
run(helpline-brand sign-profile --profile ${SOURCE_DIR}/branding/profiles/demo --key ${KEY})
run(helpline-brand sign-profile --profile ${SOURCE_DIR}/branding/profiles/demo --key ${KEY} --out ${WORK}/update.json)
run(helpline-brand sign-profile --profile ${SOURCE_DIR}/tests/fixtures/profiles/invalid --key ${KEY})
