"""AC-GAN: label embedding multiplied into z, D with an auxiliary classifier head, keyword Normalize."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=pass T17=absent
# reason: T01=pass G ends with Tanh and Normalize(mean=[0.5], std=[0.5]) maps data to [-1, 1]
# reason: T12=pass D also predicts the class, trained with CrossEntropyLoss
# reason: T16=pass the class enters G through nn.Embedding
# reason: T04=pass D has BatchNorm2d and sees real and fake batches separately
import numpy as np
import torch
import torch.nn as nn
from torchvision import datasets, transforms

n_classes, latent_dim, img_size, channels = 10, 100, 32, 1
adversarial_loss = nn.BCELoss()
auxiliary_loss = nn.CrossEntropyLoss()


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, latent_dim)
        self.init_size = img_size // 4
        self.l1 = nn.Sequential(nn.Linear(latent_dim, 128 * self.init_size**2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(128),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 128, 3, stride=1, padding=1),
            nn.BatchNorm2d(128, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 64, 3, stride=1, padding=1),
            nn.BatchNorm2d(64, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, channels, 3, stride=1, padding=1),
            nn.Tanh(),
        )

    def forward(self, noise, labels):
        gen_input = torch.mul(self.label_emb(labels), noise)
        out = self.l1(gen_input)
        out = out.view(out.shape[0], 128, self.init_size, self.init_size)
        return self.conv_blocks(out)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()

        def block(i, o, bn=True):
            layers = [nn.Conv2d(i, o, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            if bn:
                layers.append(nn.BatchNorm2d(o, 0.8))
            return layers

        self.conv_blocks = nn.Sequential(*block(channels, 16, bn=False), *block(16, 32), *block(32, 64), *block(64, 128))
        ds = img_size // 2**4
        self.adv_layer = nn.Sequential(nn.Linear(128 * ds**2, 1), nn.Sigmoid())
        self.aux_layer = nn.Sequential(nn.Linear(128 * ds**2, n_classes), nn.Softmax(dim=1))

    def forward(self, img):
        out = self.conv_blocks(img).view(img.shape[0], -1)
        return self.adv_layer(out), self.aux_layer(out)


generator, discriminator = Generator(), Discriminator()
tf = transforms.Compose([transforms.Resize(img_size), transforms.ToTensor(), transforms.Normalize(mean=[0.5], std=[0.5])])
dataloader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=tf), batch_size=64, shuffle=True)
optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(200):
    for imgs, labels in dataloader:
        b = imgs.shape[0]
        valid = torch.ones(b, 1)
        fake = torch.zeros(b, 1)
        optimizer_G.zero_grad()
        z = torch.tensor(np.random.normal(0, 1, (b, latent_dim)), dtype=torch.float32)
        gen_labels = torch.randint(0, n_classes, (b,))
        gen_imgs = generator(z, gen_labels)
        validity, pred_label = discriminator(gen_imgs)
        g_loss = 0.5 * (adversarial_loss(validity, valid) + auxiliary_loss(pred_label, gen_labels))
        g_loss.backward()
        optimizer_G.step()
        optimizer_D.zero_grad()
        real_pred, real_aux = discriminator(imgs)
        d_real_loss = (adversarial_loss(real_pred, valid) + auxiliary_loss(real_aux, labels)) / 2
        fake_pred, fake_aux = discriminator(gen_imgs.detach())
        d_fake_loss = (adversarial_loss(fake_pred, fake) + auxiliary_loss(fake_aux, gen_labels)) / 2
        d_loss = (d_real_loss + d_fake_loss) / 2
        d_loss.backward()
        optimizer_D.step()
